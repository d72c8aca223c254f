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
        rc = esc.deposit(*keys.prove("deposit", pub, prv), sender=payer)
        replay.applied_deposit(name, pub, prv)
        if i == 1:  # the second deposit: no first-use storage costs
            rep.add(
                "deposit",
                rc.gasUsed,
                note="on-chain deposit: 1 proof (18 inputs) verified, the note queued",
            )
    rc = esc.settle([], deposits=len(names), gas=big)
    rep.add(
        "append_deposits",
        rc.gasUsed,
        note=f"a batch appending {len(names)} queued deposits "
        f"({-(-len(names) // esc.insert_k)} insert proofs of {esc.insert_k} leaves)",
        leaves=len(names),
        gas_per_leaf=rc.gasUsed // len(names),
    )
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
    rc = esc.settle([withdrawal(*keys.prove("withdraw", pub, prv))])
    replay.applied_withdraw(a, pub, prv)
    one = rc.gasUsed
    rep.add("withdraw", one, note="a batch of one withdrawal (+1 insert proof), paid")
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
        f"{len(pub.values())} inputs, verified) + completion {rc2.gasUsed} (its whole "
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


def trade_proofs(keys, replay, chain_now):
    """One real proof of each trade statement: {name: (public, proof)}."""
    m, ta, _ = replay.trade(chain_now, fill=1, buyer="t0", seller="t1")
    out = {}
    for name, (pub, prv) in (("match", m), ("transition", ta)):
        proof, public = keys.prove(name, pub, prv)
        out[name] = (public, proof)
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

    def run(key_ids, items):
        assert bt.verify_batch(vks, key_ids, items), "the off-chain rule rejects the batch"
        fn = contract.functions.verifyBatch(*bt.calldata_args(key_ids, items))
        if fn.call({"gas": GAS_LIMIT - 1_000_000}) is not True:
            raise SystemExit("verifyBatch rejected a valid batch")
        return chain.transact(fn, gas=GAS_LIMIT - 1_000_000).gasUsed

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
            f"{n + 3 * len(set(key_ids))} pairings in one call",
            proofs=n,
            gas_per_proof=gas // n,
        )
    for j, k in enumerate(insert_ks):
        key = len(TRADE_KEYS) + j
        gas = run([key], [ins[k]])
        rep.add(
            "verify_insert",
            gas,
            note=f"one insert proof ({k} leaves, depth 32, {3 + k} inputs) alone",
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
                f"10-proof batch ({names[key]}: its key's 3 pairings included)",
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
    ap.add_argument("--json", action="store_true", help="one JSON object per line (default)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table at the end")
    args = ap.parse_args(argv)

    from zkats.chain.devkeys import ESCROW_CIRCUITS, DevKeys

    keys = DevKeys(args.keys, circuits=ESCROW_CIRCUITS)
    rep = Report(args.markdown and not args.json)
    replay = escrow_rows(rep, keys, args.trades)
    batch_rows(rep, keys, replay, args.proofs, args.insert, args.keys)
    if rep.markdown:
        rep.table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
