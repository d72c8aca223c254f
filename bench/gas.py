"""Gas in py-evm, with the venue's real circuits and real Groth16 proofs
(development keys):

* the escrow (contracts/ZkatsEscrow.sol): an on-chain deposit, settlement
  batches of 1, 10 and 50 trades (all proofs of a batch and its insert
  proofs in one multi-pairing, leaves appended by insert proofs), a
  withdrawal, the exit without the operator (request + completion, the
  ``exit`` statement: the whole equity out, positions to the backstop) and
  served by the operator in a batch, a
  liquidation (after a mark move, in a batch of one);
* the batch verifier (``zkats zkey export solidityverifier --batch``) alone:
  batches of 1, 10 and 50 proofs of the trade statements (match,
  transition, transition, match, ...: two keys), one multi-pairing each;
* insert proofs (circuits/insert.py, k = 4 and 16 leaves, depth 32)
  verified by the batch verifier: alone, and added to a 10-proof batch
  (the marginal cost of appending k leaves in a batch that is verified
  anyway).

    .venv/bin/python bench/gas.py --json [--trades 1,10,50|none] [--proofs 1,10,50|none]
    .venv/bin/python bench/gas.py --markdown      # the README's "Gas" table
    .venv/bin/python bench/gas.py --json --size production   # statement-shaped keys
    .venv/bin/python bench/gas.py --json --shaped --size ci  # the same method at ci

``--size`` (default: ``$ZKATS_VENUE_SIZE``, else ci) is the venue size of
the escrow, its statements and its verifiers (production: depth 32, 16
slots, the verifiers' keys stored as code).  The real circuits are proved
at ci only: at production size (or with ``--shaped``) every statement gets
a key of its exact public-input count made from a known trapdoor
(bench/shaped.py), so any signal vector has a valid proof and the
production escrow runs end to end, every proof really verified, with the
signals the venue would send; verification gas depends only on the number
of inputs, which are 0 or 1, and the keys used, never on the points.
``--shaped --size ci`` measures the method against the real circuits' run.
For the lone deposit and withdrawal (and the batch appending deposits) a
``profile_*`` row splits the gas: intrinsic (21,000), calldata, the BN254
precompiles counted during the call (pairing 45,000 + 34,000 per pair,
ecMul 6,000, ecAdd 150: EIP-1108) and the rest (storage, the token
transfer, events, the escrow's and the verifier's own code).

Prints one JSON object per operation: ``operation``, ``batch_trades``,
``gas`` and ``gas_per_trade`` (``batch_trades`` 0 and ``gas_per_trade``
null for operations that are not trades), plus ``proofs``/``gas_per_proof``
or ``leaves``/``gas_per_leaf`` where they apply and a ``note``.  Keys are
made once into DIR (default ``bench/_work/chain_keys``) by zkats' one-party
development setup.  The chain runs the BN254 precompiles natively
(:func:`zkats.chain.evm.use_native_precompiles`: gas unchanged); proving
dominates (2n accounts' deposits and 3n trade proofs per batch of n):
``--trades 1,10 --proofs 1,10`` is the quick version.  A benchmark, not a
test: nothing is asserted beyond the calls succeeding (a rejected batch is
an error).
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAS_LIMIT = 200_000_000  # py-evm block gas limit for the run (50 trades exceed 30M)
TRADE_KEYS = ("match", "transition")


def _sizes(text):
    if text == "none":
        return []
    out = [int(x) for x in text.split(",") if x.strip()]
    if not out or min(out) < 1:
        raise argparse.ArgumentTypeError(f"expected sizes like 1,10,50, got {text!r}")
    return out


class Report:
    def __init__(self, markdown):
        self.rows, self.markdown = [], markdown

    def add(self, operation, gas, batch_trades=0, note="", **extra):
        row = {
            "operation": operation,
            "batch_trades": batch_trades,
            "gas": gas,
            "gas_per_trade": gas // batch_trades if batch_trades and gas else None,
        }
        row.update(extra)
        row["note"] = note
        self.rows.append(row)
        if not self.markdown:
            print(json.dumps(row), flush=True)

    def table(self):
        print("| operation | trades | gas | gas per trade | what it does |")
        print("|---|---:|---:|---:|---|")
        for r in self.rows:
            per = f"{r['gas_per_trade']:,}" if r["gas_per_trade"] else ""
            print(
                f"| {r['operation']} | {r['batch_trades'] or ''} | "
                f"{format(r['gas'], ',') if r['gas'] is not None else 'n/a'} | {per} "
                f"| {r['note']} |"
            )


class Precompiles:
    """Counts the BN254 precompile calls of the transactions run inside
    (py-evm charges EIP-1108's gas before calling these functions)."""

    MODULES = {"ecadd": "_ecadd", "ecmul": "_ecmull", "ecpairing": "_ecpairing"}

    def __enter__(self):
        import importlib

        self.calls = {"ecadd": 0, "ecmul": 0, "pairs": 0, "pairings": 0}
        self.saved = []
        for module, attr in self.MODULES.items():
            mod = importlib.import_module(f"eth.precompiles.{module}")
            fn = getattr(mod, attr)
            self.saved.append((mod, attr, fn))
            setattr(mod, attr, self._counting(module, fn))
        return self

    def _counting(self, module, fn):
        def run(data):
            if module == "ecpairing":
                self.calls["pairings"] += 1
                self.calls["pairs"] += len(data) // 192
            else:
                self.calls[module] += 1
            return fn(data)

        return run

    def __exit__(self, *exc):
        for mod, attr, fn in self.saved:
            setattr(mod, attr, fn)

    def gas(self):
        c = self.calls
        return 150 * c["ecadd"] + 6000 * c["ecmul"] + 45_000 * c["pairings"] + 34_000 * c["pairs"]


def profile(rep, chain, operation, run, note, leaves=0, batch_trades=0):
    """Runs ``run()`` (returning a receipt) counting precompiles; adds the
    operation's row and its ``profile_`` row; returns the receipt."""
    with Precompiles() as pc:
        rc = run()
    data = bytes(chain.w3.eth.get_transaction(rc.transactionHash)["input"])
    calldata = sum(4 if b == 0 else 16 for b in data)
    pre = pc.gas()
    per = {"leaves": leaves, "gas_per_leaf": rc.gasUsed // leaves} if leaves else {}
    rep.add(operation, rc.gasUsed, batch_trades, note=note, **per)
    rep.add(
        f"profile_{operation}",
        rc.gasUsed,
        batch_trades,
        note=f"{operation}: 21,000 intrinsic + {calldata:,} calldata ({len(data)} bytes) + "
        f"{pre:,} precompiles ({pc.calls['pairs']} pairs in {pc.calls['pairings']} pairing "
        f"call(s), {pc.calls['ecmul']} ecMul, {pc.calls['ecadd']} ecAdd) + "
        f"{rc.gasUsed - 21_000 - calldata - pre:,} the rest (storage, token, events, code)",
        intrinsic=21_000,
        calldata=calldata,
        precompiles=pre,
        pairs=pc.calls["pairs"],
        ecmul=pc.calls["ecmul"],
        ecadd=pc.calls["ecadd"],
        rest=rc.gasUsed - 21_000 - calldata - pre,
    )
    return rc


def escrow_rows(rep, keys, trades_sizes):
    """The escrow (contracts/ZkatsEscrow.sol): an on-chain deposit, batches
    of n trades between 2n fresh accounts (one root per batch: no account
    spends twice in a batch), a withdrawal, the exit without the operator."""
    from zkats.chain.devkeys import ESCROW_CIRCUITS
    from zkats.chain.escrow import (
        Escrow,
        dev_oracle,
        exit_item,
        sign_epoch,
        trade,
        withdrawal,
    )
    from zkats.chain.evm import Chain
    from zkats.chain.scenario import Replay

    chain = Chain(gas_limit=GAS_LIMIT)
    vks = {n: keys.zkey[n].verifying_key() for n in ESCROW_CIRCUITS}
    esc = Escrow.deploy(chain, vks, keys.prove)
    replay = Replay()
    ep, deadline = replay.epoch, chain.now() + 30 * 86400
    rc = esc.publish_epoch(
        ep.epoch_id, ep.hash(), deadline, sign_epoch(dev_oracle(), ep.epoch_id, ep.hash(), deadline)
    )
    rep.add("publish_epoch", rc.gasUsed, note="an oracle epoch with its signature's proof")
    payer = chain.accounts[1]
    big = GAS_LIMIT - 1_000_000
    need = 2 * max(trades_sizes, default=1) + 5
    names = [f"t{i}" for i in range(need)]
    empty = replay.root
    for i, name in enumerate(names):
        replay.add_account(name)
        esc.fund(payer, replay.amounts[name])
        pub, prv = replay.open_account(name, root=empty)
        args = keys.prove("deposit", pub, prv)
        replay.applied_deposit(name, pub, prv)
        if i == 1:  # the second deposit: no first-use storage costs
            profile(
                rep, chain, "deposit", lambda a=args: esc.deposit(*a, sender=payer), DEPOSIT_NOTE
            )
        else:
            esc.deposit(*args, sender=payer)
    deposits_rows(rep, esc, len(names), big)
    for n in trades_sizes:
        batch, later = [], []
        for j in range(n):
            m, ta, tb = replay.trade(
                chain.now(), fill=1, buyer=names[2 * j], seller=names[2 * j + 1], defer=True
            )
            later += replay.last_notes
            batch.append(
                trade(
                    keys.prove("match", *m),
                    keys.prove("transition", *ta),
                    keys.prove("transition", *tb),
                )
            )
        replay.append(later)
        rc = esc.settle(batch, gas=big)
        assert esc.last_root() == replay.root
        rep.add(
            "settle",
            rc.gasUsed,
            n,
            f"{3 * n} proofs + {-(-2 * n // esc.insert_k)} insert proof(s) in one "
            f"multi-pairing, {2 * n} leaves appended",
        )
    a, b, c, d = names[-5], names[-1], names[-3], names[-4]
    pub, prv = replay.withdraw(a, 150_000, int(payer, 16), salt=9001)
    item = withdrawal(*keys.prove("withdraw", pub, prv))
    rc = profile(rep, chain, "withdraw", lambda: esc.settle([item]), WITHDRAW_NOTE)
    replay.applied_withdraw(a, pub, prv)
    one = rc.gasUsed
    two = []
    for name, salt in ((c, 9003), (d, 9004)):
        pub, prv = replay.withdraw(name, 150_000, int(payer, 16), salt=salt)
        two.append((withdrawal(*keys.prove("withdraw", pub, prv)), (name, pub, prv)))
    rc = esc.settle([x for x, _ in two])
    for _, args in two:
        replay.applied_withdraw(*args)
    rep.add(
        "withdraw_in_batch",
        rc.gasUsed - one,
        note="marginal gas of a withdrawal in a batch (a batch of two minus a batch of one)",
    )
    # the exit game: names[0] (long from the trades, if any) takes its whole
    # equity out alone; b's exit is served by the operator in a batch
    who = names[0]
    pub, prv = replay.exit(who, int(payer, 16), salt=9002)
    held = sum(1 for s in replay.live[who][1].slots if s.position)
    rc1, eid = esc.request_exit(*keys.prove("exit", pub, prv), sender=payer)
    chain.time_travel(esc.contract.functions.forceTimeout().call() + 1)
    rc2 = esc.complete_exit(eid, sender=payer)
    rep.add(
        "exit",
        rc1.gasUsed + rc2.gasUsed,
        note=f"without the operator: request {rc1.gasUsed} (the exit proof, "
        f"{len(pub.proof_values())} inputs, verified) + completion {rc2.gasUsed} (its whole "
        f"equity paid, the empty change note queued); {held} position(s) to the backstop",
    )
    pub, prv = replay.exit(b, int(payer, 16), salt=9005)
    rc = esc.settle([exit_item(*keys.prove("exit", pub, prv))])
    replay.applied_withdraw(b, pub, prv)
    rep.add(
        "exit_in_batch",
        rc.gasUsed,
        note="the operator serves an exit: a batch of one (+1 insert proof), paid",
    )
    if trades_sizes:
        liquidation_row(rep, keys, esc, replay, names[2 * max(trades_sizes) - 1])
    else:
        rep.add("liquidation", None, note="not measured: needs a trade (--trades)")
    return replay


DEPOSIT_NOTE = (
    "on-chain deposit: token in, the note queued with the hash of its proof "
    "(verified by the batch appending it)"
)
WITHDRAW_NOTE = "a batch of one withdrawal (+1 insert proof), paid"


def deposits_rows(rep, esc, n, gas):
    """Appends the ``n`` queued deposits in three batches: one deposit alone
    (what a lone deposit's verification costs: its proof and an insert
    proof), two (the marginal gas of a deposit in the batch appending it),
    then the other ``n - 3`` in one batch."""
    one = esc.settle([], deposits=1, gas=gas).gasUsed
    rep.add(
        "append_deposit",
        one,
        note="a batch appending one queued deposit alone: its proof + 1 insert proof "
        "(a lone deposit's verification, after its deposit call)",
    )
    two = esc.settle([], deposits=2, gas=gas).gasUsed
    rep.add(
        "deposit_in_batch",
        two - one,
        note="marginal gas of a queued deposit in the batch appending it "
        "(a batch of two minus a batch of one)",
    )
    n -= 3
    return profile(
        rep,
        esc.chain,
        "append_deposits",
        lambda: esc.settle([], deposits=n, gas=gas),
        f"a batch appending {n} queued deposits: their {n} proofs and "
        f"{-(-n // esc.insert_k)} insert proof(s) of {esc.insert_k} leaves in one multi-pairing",
        leaves=n,
    )


def liquidation_row(rep, keys, esc, replay, name):
    """The mark rises until ``name`` (short) fails maintenance margin with
    positive equity; after the epoch's deadline the risk engine's
    liquidation is settled in a batch of one (its proof checked by the
    epoch verifier, +1 insert proof)."""
    from zkats.chain.escrow import dev_oracle, liquidation, sign_epoch
    from zkats.domain import margin

    note = replay.live[name][1]
    eid = replay.epoch.epoch_id + 1
    for mark in range(60_000, 100_000_000, 5_000):
        ep = replay.moved_epoch(eid, mark)
        if not margin.meets(note, ep, maintenance=True):
            break
    assert margin.equity(note, ep) > 0, "the account is bankrupt at the first failing mark"
    chain = esc.chain
    deadline = chain.now() + 60
    esc.publish_epoch(eid, ep.hash(), deadline, sign_epoch(dev_oracle(), eid, ep.hash(), deadline))
    chain.time_travel(120)
    pub, prv = replay.liquidate(name, ep, salt=9100)
    rc = esc.settle([liquidation(*keys.prove("liquidate", pub, prv))])
    replay.applied_liquidation(name, pub, prv)
    assert esc.last_root() == replay.root
    rep.add(
        "liquidation",
        rc.gasUsed,
        note=f"a batch of one liquidation (penalty {pub.penalty} to the insurance fund; "
        "its proof in the epoch verifier's multi-pairing, +1 insert proof)",
    )


def shaped_rows(rep, trades_sizes):
    """The rows of :func:`escrow_rows` with statement-shaped keys
    (bench/shaped.py) at this process's venue size: the same calls, the
    signals the venue sends (roots the escrow knows, the latest epoch,
    amounts, fees, consistent match and transitions; nullifiers,
    commitments, points and ciphertexts random field elements)."""
    from shaped import ShapedKeys, fields, n_public

    from zkats.chain.devkeys import ESCROW_CIRCUITS
    from zkats.chain.escrow import (
        Escrow,
        dev_oracle,
        exit_item,
        liquidation,
        sign_epoch,
        trade,
        withdrawal,
    )
    from zkats.chain.evm import Chain
    from zkats.circuits.deposit import ASSET

    ks = ShapedKeys(ESCROW_CIRCUITS)
    chain = Chain(gas_limit=GAS_LIMIT)
    esc = Escrow.deploy(chain, ks.vks, ks.prove)
    big = GAS_LIMIT - 1_000_000
    eid, ehash, deadline = 1, ks.rnd.randrange(2, 1 << 250), chain.now() + 30 * 86400
    sig = sign_epoch(dev_oracle(), eid, ehash, deadline)
    rc = esc.publish_epoch(eid, ehash, deadline, sig)
    rep.add("publish_epoch", rc.gasUsed, note="an oracle epoch with its signature's proof")
    payer = chain.accounts[1]
    need = 2 * max(trades_sizes, default=1) + 5
    amount = 2_000_000
    esc.fund(payer, amount * need)
    empty = esc.last_root()
    for i in range(need):
        args = ks.item("deposit", root=empty, asset=ASSET, amount=amount)
        if i == 1:
            profile(
                rep, chain, "deposit", lambda a=args: esc.deposit(*a, sender=payer), DEPOSIT_NOTE
            )
        else:
            esc.deposit(*args, sender=payer)
    deposits_rows(rep, esc, need, big)
    epoch = {"epoch_id": eid, "epoch_hash": ehash}

    def trade_item(root, instrument=1, fee=30):
        m = ks.public("match", instrument=instrument, now=chain.now(), reveal_price=0)
        f = {name: off for name, off, _ in fields("match")}
        legs = []
        for leg, tag in (("leg_a", "tag_a"), ("leg_b", "tag_b")):
            legs.append(
                ks.item(
                    "transition",
                    root=root,
                    instrument=instrument,
                    leg=m[f[leg] : f[leg] + 2],
                    tag=m[f[tag]],
                    fee=fee,
                    **epoch,
                )
            )
        return trade((ks.proof("match", m), m), *legs)

    for n in trades_sizes:
        items = [trade_item(esc.last_root()) for _ in range(n)]
        profile(
            rep,
            chain,
            "settle",
            lambda items=items: esc.settle(items, gas=big),
            f"{3 * n} proofs + {-(-2 * n // esc.insert_k)} insert proof(s) in one "
            f"multi-pairing, {2 * n} leaves appended",
            batch_trades=n,
        )

    def withdraw_item():
        return ks.item(
            "withdraw",
            root=esc.last_root(),
            asset=ASSET,
            amount=150_000,
            recipient=int(payer, 16),
            **epoch,
        )

    item = withdrawal(*withdraw_item())
    rc = profile(rep, chain, "withdraw", lambda: esc.settle([item]), WITHDRAW_NOTE)
    one = rc.gasUsed
    rc = esc.settle([withdrawal(*withdraw_item()), withdrawal(*withdraw_item())])
    rep.add(
        "withdraw_in_batch",
        rc.gasUsed - one,
        note="marginal gas of a withdrawal in a batch (a batch of two minus a batch of one)",
    )
    n_taken = dict((name, n) for name, _, n in fields("exit"))["taken_instrument"]
    zx = [0] * (n_taken - 1)

    def exit_args():
        return ks.item(
            "exit",
            root=esc.last_root(),
            asset=ASSET,
            amount=150_000,
            recipient=int(payer, 16),
            **epoch,
            taken_instrument=[1, *zx],
            taken_size=[4, *zx],
            taken_notional=[240_000, *zx],
        )

    args = exit_args()
    rc1, xid = esc.request_exit(*args, sender=payer)
    chain.time_travel(esc.contract.functions.forceTimeout().call() + 1)
    rc2 = esc.complete_exit(xid, sender=payer)
    rep.add(
        "exit",
        rc1.gasUsed + rc2.gasUsed,
        note=f"without the operator: request {rc1.gasUsed} (the exit proof, {n_public('exit')} "
        f"inputs, verified) + completion {rc2.gasUsed} (its whole equity paid, the empty "
        "change note queued)",
    )
    rc = esc.settle([exit_item(*exit_args())])
    rep.add(
        "exit_in_batch",
        rc.gasUsed,
        note="the operator serves an exit: a batch of one (+1 insert proof), paid",
    )
    # a liquidation after a new epoch's health deadline (one taken position)
    eid2, ehash2, deadline2 = 2, ks.rnd.randrange(2, 1 << 250), chain.now() + 60
    esc.publish_epoch(eid2, ehash2, deadline2, sign_epoch(dev_oracle(), eid2, ehash2, deadline2))
    chain.time_travel(120)
    slots = dict((name, n) for name, _, n in fields("liquidate"))
    z = [0] * (slots["taken_instrument"] - 1)
    pr = ks.item(
        "liquidate",
        root=esc.last_root(),
        epoch_id=eid2,
        epoch_hash=ehash2,
        penalty=1_000,
        shortfall=0,
        taken_instrument=[1, *z],
        taken_size=[4, *z],
        taken_notional=[240_000, *z],
    )
    rc = esc.settle([liquidation(*pr)])
    rep.add(
        "liquidation",
        rc.gasUsed,
        note="a batch of one liquidation (its proof in the epoch verifier's multi-pairing, "
        "+1 insert proof)",
    )


def trade_proofs(keys, replay, chain_now):
    """One real proof of each trade statement: {name: (public, proof)}."""
    m, ta, _ = replay.trade(chain_now, fill=1, buyer="t0", seller="t1")
    out = {}
    for name, (pub, prv) in (("match", m), ("transition", ta)):
        proof, _ = keys.prove(name, pub, prv)
        out[name] = ([int(x) for x in pub.proof_values()], proof)  # the Groth16 inputs
    return out


def insert_proofs(keys_dir, ks):
    """{k: (public, proof)}: appending k leaves to a depth-32 tree of 5."""
    from zkats.circuit import compile_circuit
    from zkats.circuits import insert
    from zkats.formats.zkey import read_zkey
    from zkats.gadgets.merkle import MerkleTree
    from zkats.groth16.devsetup import DevSetup
    from zkats.groth16.prover import prove

    dev = DevSetup(keys_dir, power=15)
    out, vks = {}, {}
    for k in ks:
        cc = compile_circuit(insert.Insert(k=k))
        zkey_path, _, _ = dev.key(f"insert{k}", cc)
        zk = read_zkey(zkey_path)
        tree = MerkleTree(insert.DEPTH)
        for i in range(5):
            tree.append(1000 + i)
        pub, prv = insert.build(tree, [2000 + j for j in range(k)])
        proof, public = prove(zk, cc.solve(insert.inputs(pub, prv)).limbs(), check=True)
        out[k] = ([int(x) for x in public], proof)
        vks[k] = zk.verifying_key()
    return out, vks


def batch_rows(rep, keys, replay, proof_sizes, insert_ks, keys_dir):
    from zkats.chain.evm import Chain, batch_verifier_artifact
    from zkats.groth16 import batch_transcript as bt

    chain = Chain(gas_limit=GAS_LIMIT)
    trade_items = trade_proofs(keys, replay, chain.now())
    ins, ins_vks = insert_proofs(keys_dir, insert_ks)
    vks = [keys.zkey[n].verifying_key() for n in TRADE_KEYS] + [ins_vks[k] for k in insert_ks]
    names = list(TRADE_KEYS) + [f"insert{k}" for k in insert_ks]
    contract = chain.deploy(batch_verifier_artifact(vks, "BenchBatchVerifier"), gas=30_000_000)

    pairs = [0]

    def run(key_ids, items):
        assert bt.verify_batch(vks, key_ids, items), "the off-chain rule rejects the batch"
        fn = contract.functions.verifyBatch(*bt.calldata_args(key_ids, items))
        if fn.call({"gas": GAS_LIMIT - 1_000_000}) is not True:
            raise SystemExit("verifyBatch rejected a valid batch")
        with Precompiles() as pc:
            gas = chain.transact(fn, gas=GAS_LIMIT - 1_000_000).gasUsed
        pairs[0] = pc.calls["pairs"]
        return gas

    pattern = [0, 1, 1]  # match, transition, transition per trade
    ten = None
    for n in proof_sizes:
        key_ids = [pattern[i % 3] for i in range(n)]
        items = [trade_items[TRADE_KEYS[k]] for k in key_ids]
        gas = run(key_ids, items)
        if n == 10:
            ten = (key_ids, items, gas)
        rep.add(
            "verify_batch",
            gas,
            note=f"{n} trade proofs (match, transition, transition, ...), "
            f"{pairs[0]} pairings in one call",
            proofs=n,
            gas_per_proof=gas // n,
        )
    for j, k in enumerate(insert_ks):
        key = len(TRADE_KEYS) + j
        gas = run([key], [ins[k]])
        rep.add(
            "verify_insert",
            gas,
            note=f"one insert proof ({k} leaves, depth 32, {3 + k} inputs) alone, "
            f"{pairs[0]} pairings",
            leaves=k,
            gas_per_leaf=gas // k,
        )
        if ten is not None:
            key_ids, items, base = ten
            gas = run(key_ids + [key], items + [ins[k]])
            rep.add(
                "verify_insert_in_batch",
                gas - base,
                note=f"marginal gas of one insert proof ({k} leaves) added to the "
                f"10-proof batch ({names[key]}: its key's delta pair included, "
                f"{pairs[0]} pairings in all)",
                leaves=k,
                gas_per_leaf=(gas - base) // k,
            )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", default=str(ROOT / "bench" / "_work" / "chain_keys"))
    ap.add_argument(
        "--trades", type=_sizes, default=[1, 10, 50], help="settle batch sizes (or none)"
    )
    ap.add_argument(
        "--proofs", type=_sizes, default=[1, 10, 50], help="verify_batch sizes (or none)"
    )
    ap.add_argument("--insert", type=_sizes, default=[4, 16], help="insert circuit sizes k")
    ap.add_argument(
        "--size",
        choices=("ci", "production"),
        default=os.environ.get("ZKATS_VENUE_SIZE", "ci"),
        help="venue size of the escrow and its statements (production: shaped keys)",
    )
    ap.add_argument(
        "--shaped",
        action="store_true",
        help="statement-shaped keys from a known trapdoor instead of the real circuits "
        "(bench/shaped.py; always at production size)",
    )
    ap.add_argument("--json", action="store_true", help="one JSON object per line (default)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table at the end")
    args = ap.parse_args(argv)
    os.environ["ZKATS_VENUE_SIZE"] = args.size  # before zkats is imported: fixed at import
    rep = Report(args.markdown and not args.json)
    if args.shaped or args.size == "production":
        shaped_rows(rep, args.trades)
        if rep.markdown:
            rep.table()
        return 0

    from zkats.chain.devkeys import ESCROW_CIRCUITS, DevKeys

    keys = DevKeys(args.keys, circuits=ESCROW_CIRCUITS)
    replay = escrow_rows(rep, keys, args.trades)
    batch_rows(rep, keys, replay, args.proofs, args.insert, args.keys)
    if rep.markdown:
        rep.table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
