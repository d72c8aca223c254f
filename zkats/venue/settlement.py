"""The settlement service: verify a batch, then apply it atomically or not at all.

``SettlementService(path).apply(batch)`` runs, in order:

1. **decode** every proof's public signals through the circuit's
   :class:`SignalLayout` (the adapter that says what each public signal
   means), and check the batch on its own: no nullifier, new note or order
   twice inside the batch; a trade's transitions apply exactly the match's
   legs (same points, tags, instrument) at one oracle epoch; the match's
   time is current;
2. **pre-check** against the ledger without locking (cheap early rejection);
3. **verify** the proofs, batched per circuit key (:class:`ProofVerifier`
   adapter; a failing batch is re-checked to name the failing proof), and
   each trade's netting proof (:class:`NettingVerifier` adapter);
4. **apply** in one ``BEGIN IMMEDIATE`` transaction that first repeats every
   ledger check (roots in the root history, nullifiers unspent, commitments
   new, orders unmatched, epochs, escrow, liquidation status) — another
   process may have
   committed since step 2 — then writes notes, tree nodes, the new root,
   nullifiers, escrow moves, trades, health and liquidation records.

Any failure raises :class:`LedgerError` naming the item (index and kind) and
what failed, and leaves the ledger file unchanged.  Messages carry only
public values (nullifiers, roots, accounts are public signals).  Replays are
refused because their nullifiers (every spend, and a fresh deposit's
genesis nullifier) or consumed orders are already in the ledger — never by
comparing proof bytes.

The adapters are small on purpose: ``DEFAULT_LAYOUTS`` mirrors the
circuits' ``PUBLIC_SIGNALS``; ``Groth16Verifier`` wraps
:mod:`zkats.groth16.verifier` (keys ``NAME.vkey.json`` in a directory);
``SchnorrNettingVerifier`` is the netting check of :mod:`zkats.commit`
with native Baby Jubjub arithmetic.
"""

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import InputError, LedgerError
from .batch import Batch, Item
from .ledger import Ledger, point_key

# --------------------------------------------------------------------------
# adapter 1: what each circuit's public signals mean
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalLayout:
    """Names of a circuit's public signals, in snarkjs public.json order.

    Names the service interprets: ``root`` (a Merkle root that must be in
    the history), ``nullifier`` (spent; for ``health`` only checked
    unspent), ``commitment`` (new note appended to the tree), ``epoch_id`` +
    ``epoch`` (an oracle epoch and the hash of its data, which must match),
    ``account``, ``asset``, ``amount``, ``recipient`` (escrow movements),
    and for trades the match's ``instrument``, ``now``, ``reveal_price``,
    ``price``, order/remainder/leg points and ``tag_a``/``tag_b``, which the
    transitions' ``instrument``, ``delta_x``/``delta_y`` and ``tag`` must
    repeat.
    """

    circuit: str
    names: tuple[str, ...]

    def decode(self, public):
        if len(public) != len(self.names):
            raise InputError(
                f"{self.circuit} proof has {len(public)} public signals, "
                f"expected {len(self.names)} ({', '.join(self.names)})"
            )
        return dict(zip(self.names, public))


#: The venue circuits' public signals, in public.json order (the names are
#: ``circuits/<name>.py``'s ``PUBLIC_SIGNALS``; a test pins them equal).
DEFAULT_LAYOUTS: dict[str, SignalLayout] = {
    "deposit": SignalLayout(
        "deposit", ("root", "nullifier", "commitment", "account", "asset", "amount")
    ),
    "withdraw": SignalLayout(
        "withdraw",
        (
            "root",
            "nullifier",
            "commitment",
            "account",
            "asset",
            "amount",
            "recipient",
            "epoch_id",
            "epoch",
        ),
    ),
    "match": SignalLayout(
        "match",
        (
            "instrument",
            "now",
            "reveal_price",
            "price",
            "order_a_x",
            "order_a_y",
            "order_b_x",
            "order_b_y",
            "rem_a_x",
            "rem_a_y",
            "rem_b_x",
            "rem_b_y",
            "leg_a_x",
            "leg_a_y",
            "leg_b_x",
            "leg_b_y",
            "tag_a",
            "tag_b",
        ),
    ),
    "transition": SignalLayout(
        "transition",
        (
            "root",
            "nullifier",
            "commitment",
            "instrument",
            "delta_x",
            "delta_y",
            "tag",
            "epoch_id",
            "epoch",
        ),
    ),
    "health": SignalLayout("health", ("root", "nullifier", "account", "epoch_id", "epoch")),
    "liquidate": SignalLayout(
        "liquidate", ("root", "nullifier", "commitment", "account", "epoch_id", "epoch")
    ),
    "order": SignalLayout("order", ("commitment_x", "commitment_y", "now")),
}

#: a match's public ``now`` may lag the service clock by at most this (s)
MATCH_MAX_AGE = 3600
#: ... and lead it by at most this (clock skew, s)
CLOCK_SKEW = 60


# --------------------------------------------------------------------------
# adapter 2: proof verification, batched per circuit key
# --------------------------------------------------------------------------


class ProofVerifier:
    """Interface: ``failures(circuit, [(public, proof), ...]) -> [indices]``.

    Returns the indices (into the given list) of the proofs that do not
    verify; an empty list means all verify.
    """

    def failures(self, circuit: str, pairs: Sequence[tuple]) -> list[int]:
        raise NotImplementedError


class Groth16Verifier(ProofVerifier):
    """Groth16 over BN254 with one verifying key per circuit name.

    One random-linear-combination batch check per circuit; only if it fails
    are the proofs checked one by one to find the culprits.
    """

    def __init__(self, keys: dict):
        self.keys = dict(keys)

    @classmethod
    def from_dir(cls, directory, circuits=None):
        """Load ``NAME.vkey.json`` (snarkjs verification_key.json) per circuit."""
        import os

        from ..formats.snarkjs_json import read_verification_key

        keys = {}
        for name in circuits or DEFAULT_LAYOUTS:
            p = os.path.join(str(directory), f"{name}.vkey.json")
            if os.path.exists(p):
                keys[name] = read_verification_key(p)
        return cls(keys)

    def failures(self, circuit, pairs):
        from ..groth16 import verifier

        vk = self.keys.get(circuit)
        if vk is None:
            raise LedgerError(f"no verifying key for circuit {circuit!r}")
        pairs = [(list(pub), proof) for pub, proof in pairs]
        try:
            return verifier.batch_verify_detailed(vk, pairs)
        except InputError:
            pass
        # a malformed entry (e.g. wrong signal count for this key): find it
        bad = []
        for i, (pub, proof) in enumerate(pairs):
            try:
                ok = verifier.verify(vk, pub, proof)
            except InputError:
                ok = False
            if not ok:
                bad.append(i)
        return bad


# --------------------------------------------------------------------------
# adapter 3: netting (sum of the trade's commitments is a commitment to 0)
# --------------------------------------------------------------------------


class NettingVerifier:
    """Interface: ``verify(points, proof) -> bool`` for a trade.

    ``points`` are the Baby Jubjub points (x, y) whose sum must be a
    commitment to zero; ``proof`` is a :class:`zkats.venue.batch.NettingProof`.
    """

    def verify(self, points, proof) -> bool:
        raise NotImplementedError


class ReferenceNettingVerifier(NettingVerifier):
    """The venue's Schnorr netting check as written, :func:`zkats.commit.verify_netting`
    (plain-Python Baby Jubjub; the reference the fast verifier is tested against).

    The legs are the match's ``leg_a`` and ``leg_b`` commitments (which the
    two transitions repeat); the Fiat-Shamir context is 0 (the legs are
    bound to the trade by the match and transition proofs).
    """

    def verify(self, points, proof):
        from ..commit import verify_netting

        return bool(verify_netting(points, proof, 0))


class SchnorrNettingVerifier(NettingVerifier):
    """The same check as :class:`ReferenceNettingVerifier` (same challenge,
    same subgroup and range checks), with the Baby Jubjub arithmetic in the
    native core (:func:`zkats.bn254.bjj_mul`): about 20x faster.

    Accepts iff every leg and ``R`` are subgroup points, ``0 <= s < L`` and
    ``s*H == R + c*S`` with ``S`` the sum of the legs and ``c`` the
    challenge of :mod:`zkats.commit.netting`.
    """

    def verify(self, points, proof):
        from .. import bn254
        from ..commit.pedersen import L, blinding_generator
        from . import tags
        from .fast_hash import poseidon_plain

        try:
            legs = [(int(x), int(y)) for x, y in points]
            r_point = (int(proof.R[0]), int(proof.R[1]))
            s = proof.s
        except (TypeError, ValueError, AttributeError):
            return False
        if not legs or not isinstance(s, int) or isinstance(s, bool) or not 0 <= s < L:
            return False
        if bn254.bjj_check_subgroup(legs + [r_point]) != -1:
            return False
        total = (0, 1)
        for leg in legs:
            total = bn254.bjj_add(total, leg)
        # zkats.commit.netting's challenge (context 0), with native Poseidon
        c = (
            poseidon_plain([tags.NETTING, len(legs), total[0], total[1], r_point[0], r_point[1], 0])
            % L
        )
        return bn254.bjj_mul(blinding_generator(), s) == bn254.bjj_add(
            r_point, bn254.bjj_mul(total, c)
        )


# --------------------------------------------------------------------------
# receipts and the decoded plan of a batch
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchReceipt:
    batch_id: int
    digest: str
    root: int
    n_items: int
    leaf_indices: tuple[tuple[int, str, int], ...]  # (item, role, leaf index)
    nullifiers: int
    verify_seconds: float
    apply_seconds: float


@dataclass
class _ItemPlan:
    index: int
    kind: str
    signals: dict[str, dict[str, int]]  # role -> decoded signals
    roots: list[tuple[str, int]] = field(default_factory=list)  # (role, root)
    nullifiers: list[tuple[str, int]] = field(default_factory=list)  # spent here
    live: list[tuple[str, int]] = field(default_factory=list)  # must be unspent
    commitments: list[tuple[str, int]] = field(default_factory=list)
    epochs: list[tuple[str, int, int]] = field(default_factory=list)  # (role, id, hash)
    orders: list[tuple[int, int]] = field(default_factory=list)  # consumed points
    opens: list[tuple[int, int]] = field(default_factory=list)  # opened points

    def where(self):
        return f"item {self.index} ({self.kind})"


def _short(v):
    s = str(v)
    return s if len(s) <= 16 else s[:12] + "..."


def _pt(sig, name):
    return (sig[name + "_x"], sig[name + "_y"])


class SettlementService:
    """Applies batches to the ledger at ``path`` (created if missing).

    ``verifier`` and ``netting`` are the adapters above (defaults: Groth16
    with keys from ``keys_dir``, and :class:`SchnorrNettingVerifier`);
    ``layouts`` maps circuit names to :class:`SignalLayout`; ``clock``
    returns unix seconds (health deadlines, match and order times).
    ``depth``/``hash2`` go to :class:`Ledger`.  ``require_open_orders``
    (default True): a match may consume only orders opened by an ``order``
    proof or left as a remainder by an earlier match.
    """

    def __init__(
        self,
        path,
        verifier: ProofVerifier | None = None,
        netting=None,
        layouts=None,
        keys_dir=None,
        clock=None,
        depth=None,
        hash2=None,
        busy_timeout=None,
        require_open_orders=True,
    ):
        kw = {} if busy_timeout is None else {"busy_timeout": busy_timeout}
        self.ledger = Ledger(path, depth=depth, hash2=hash2, **kw)
        if verifier is None and keys_dir is not None:
            verifier = Groth16Verifier.from_dir(keys_dir)
        self.verifier = verifier
        self.netting = netting or SchnorrNettingVerifier()
        self.layouts = dict(DEFAULT_LAYOUTS if layouts is None else layouts)
        self.clock = clock or (lambda: int(time.time()))
        #: a match may only consume open orders (signed, or remainders); tests of
        #: other rules may turn this off
        self.require_open_orders = require_open_orders

    def close(self):
        self.ledger.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # convenience pass-throughs
    def publish_epoch(self, epoch_id, data_hash, deadline):
        self.ledger.publish_epoch(epoch_id, data_hash, deadline, now=self.clock())

    def close_epoch(self, epoch_id):
        return self.ledger.close_epoch(epoch_id, now=self.clock())

    # -- the pipeline ---------------------------------------------------------

    def apply(self, batch: Batch) -> BatchReceipt:
        """Verify and apply ``batch``; raise LedgerError (nothing applied) if any check fails."""
        if not isinstance(batch, Batch):
            raise LedgerError("apply() needs a zkats.venue.batch.Batch")
        if not batch.items:
            raise LedgerError("batch is empty")
        t0 = time.perf_counter()
        now = self.clock()
        plans = [self._decode(i, item, now) for i, item in enumerate(batch.items)]
        self._check_within_batch(plans)
        self._check_ledger(plans, now)
        self._verify(batch, plans)
        t1 = time.perf_counter()
        digest = batch.digest()
        try:
            with self.ledger.write() as conn:
                self._check_ledger(plans, now)
                receipt = self._write(conn, plans, digest, now)
        except sqlite3.IntegrityError as err:
            # unreachable while the checks above hold the write lock; a backstop
            raise LedgerError(f"batch conflicts with the ledger ({err})") from None
        except sqlite3.Error as err:  # I/O error, disk full, ...: rolled back
            raise LedgerError(
                f"{self.ledger.path}: ledger write failed ({err}); nothing was applied"
            ) from None
        t2 = time.perf_counter()
        return BatchReceipt(verify_seconds=t1 - t0, apply_seconds=t2 - t1, **receipt)

    # step 1: decode and check each item on its own
    def _decode(self, index, item: Item, now) -> _ItemPlan:
        where = f"item {index} ({item.kind})"
        signals = {}
        for role, bundle in item.proofs.items():
            layout = self.layouts.get(bundle.circuit)
            if layout is None:
                raise LedgerError(f"{where}: no signal layout for circuit {bundle.circuit!r}")
            try:
                signals[role] = layout.decode(bundle.public)
            except InputError as err:
                raise LedgerError(f"{where}: {role} proof: {err}") from None
        plan = _ItemPlan(index, item.kind, signals)
        for role, sig in signals.items():
            if "root" in sig:
                plan.roots.append((role, sig["root"]))
            if "nullifier" in sig:
                (plan.live if item.kind == "health" else plan.nullifiers).append(
                    (role, sig["nullifier"])
                )
            if "commitment" in sig:
                plan.commitments.append((role, sig["commitment"]))
            if "epoch" in sig:
                plan.epochs.append((role, sig["epoch_id"], sig["epoch"]))
        if item.kind == "trade":
            m = signals["match"]
            for role, x in (("leg_a", "a"), ("leg_b", "b")):
                t = signals[role]
                if (t["delta_x"], t["delta_y"]) != _pt(m, "leg_" + x) or t["tag"] != m["tag_" + x]:
                    raise LedgerError(
                        f"{where}: {role} transition does not apply the match's leg_{x}"
                    )
                if t["instrument"] != m["instrument"]:
                    raise LedgerError(f"{where}: {role} transition is for another instrument")
            if signals["leg_a"]["epoch_id"] != signals["leg_b"]["epoch_id"]:
                raise LedgerError(f"{where}: the two transitions use different oracle epochs")
            if _pt(m, "order_a") == _pt(m, "order_b"):
                raise LedgerError(f"{where}: an order cannot match itself")
            if m["reveal_price"] not in (0, 1):
                raise LedgerError(f"{where}: reveal_price must be 0 or 1")
            if not now - MATCH_MAX_AGE <= m["now"] <= now + CLOCK_SKEW:
                raise LedgerError(
                    f"{where}: match time {m['now']} is not current (service clock {now})"
                )
            plan.orders = [_pt(m, "order_a"), _pt(m, "order_b")]
            plan.opens = [_pt(m, "rem_a"), _pt(m, "rem_b")]
        if item.kind == "order":
            o = signals["order"]
            if not now - MATCH_MAX_AGE <= o["now"] <= now + CLOCK_SKEW:
                raise LedgerError(
                    f"{where}: order time {o['now']} is not current (service clock {now})"
                )
            plan.opens = [_pt(o, "commitment")]
        return plan

    @staticmethod
    def _check_within_batch(plans):
        seen_n: dict = {}
        seen_c: dict = {}
        seen_o: dict = {}
        seen_acct: dict = {}
        for p in plans:
            for role, n in p.nullifiers:
                if n in seen_n:
                    raise LedgerError(
                        f"{p.where()}: {role} nullifier {_short(n)} is spent twice "
                        f"in this batch (also {seen_n[n]})"
                    )
                seen_n[n] = f"{p.where()} {role}"
            for role, c in p.commitments:
                if c in seen_c:
                    raise LedgerError(
                        f"{p.where()}: {role} note commitment {_short(c)} appears "
                        f"twice in this batch (also {seen_c[c]})"
                    )
                seen_c[c] = f"{p.where()} {role}"
            for o in p.orders:
                if o in seen_o:
                    raise LedgerError(
                        f"{p.where()}: order {_short(o[0])} is matched twice in "
                        f"this batch (also {seen_o[o]})"
                    )
                seen_o[o] = p.where()
            if p.kind in ("health", "liquidate"):
                sig = p.signals[p.kind]
                key = (p.kind, sig["epoch_id"], sig["account"])
                if key in seen_acct:
                    raise LedgerError(
                        f"{p.where()}: duplicate {p.kind} for account "
                        f"{_short(sig['account'])} and epoch {sig['epoch_id']} "
                        f"in this batch"
                    )
                seen_acct[key] = True
        for p in plans:
            for role, n in p.live:
                if n in seen_n:
                    raise LedgerError(
                        f"{p.where()}: {role} proof is about a note spent in this "
                        f"batch ({seen_n[n]})"
                    )

    # steps 2 and 4a: against the ledger (outside, then inside the transaction)
    def _check_ledger(self, plans, now):
        led = self.ledger
        latest = led.latest_epoch()
        escrow_after: dict = {}
        new_accounts = set()  # registered by deposits earlier in this batch
        opened_here, consumed_here = set(), set()  # order points, in item order

        def known(account):
            return str(account) in new_accounts or led.account_exists(account)

        for p in plans:
            w = p.where()
            for role, root in p.roots:
                if not led.root_known(root):
                    raise LedgerError(f"{w}: {role} proof uses unknown Merkle root {_short(root)}")
            for role, n in p.nullifiers + p.live:
                if led.nullifier_spent(n):
                    raise LedgerError(f"{w}: {role} nullifier {_short(n)} is already spent")
            for role, c in p.commitments:
                if led.note_index(c) is not None:
                    raise LedgerError(f"{w}: {role} note commitment {_short(c)} already exists")
            epochs = {}
            for role, eid, ehash in p.epochs:
                row = led.epoch_by_hash(ehash)
                if row is None or row[0] != eid:
                    raise LedgerError(
                        f"{w}: {role} proof uses unknown oracle epoch {eid} "
                        f"(or its data hash does not match)"
                    )
                epochs[role] = row
            if p.kind in ("trade", "withdraw"):
                for role, (eid, _, _) in epochs.items():
                    if latest is None or eid != latest[0]:
                        raise LedgerError(
                            f"{w}: {role} proof uses oracle epoch {eid}, not the latest"
                        )
            for o in p.orders:
                if led.order_consumed(o) or o in consumed_here:
                    raise LedgerError(f"{w}: order {_short(o[0])} was already matched")
                if self.require_open_orders and o not in opened_here and not led.order_open(o):
                    raise LedgerError(
                        f"{w}: order {_short(o[0])} is not open (no order proof "
                        f"or earlier remainder)"
                    )
                consumed_here.add(o)
            for o in p.opens:
                if (
                    o in opened_here
                    or o in consumed_here
                    or led.order_open(o)
                    or led.order_consumed(o)
                ):
                    raise LedgerError(f"{w}: order commitment {_short(o[0])} was already opened")
                opened_here.add(o)
            if p.kind in ("deposit", "withdraw"):
                sig = p.signals[p.kind]
                asset = str(sig["asset"])
                bal = escrow_after.get(asset, led.escrow_balance(asset))
                bal += sig["amount"] if p.kind == "deposit" else -sig["amount"]
                if bal < 0:
                    raise LedgerError(
                        f"{w}: withdrawal exceeds the escrow balance of asset {_short(asset)}"
                    )
                escrow_after[asset] = bal
                if p.kind == "deposit":
                    new_accounts.add(str(sig["account"]))
                elif not known(sig["account"]):
                    raise LedgerError(f"{w}: account {_short(sig['account'])} is unknown")
            if p.kind == "health":
                sig = p.signals["health"]
                eid, deadline, _ = epochs["health"]
                if now > deadline:
                    raise LedgerError(
                        f"{w}: health proof for oracle epoch {eid} is past its deadline"
                    )
                if not known(sig["account"]):
                    raise LedgerError(f"{w}: account {_short(sig['account'])} is unknown")
                if led._one(
                    "SELECT 1 FROM health_proofs WHERE epoch_id = ? AND account = ?",
                    (eid, str(sig["account"])),
                ):
                    raise LedgerError(
                        f"{w}: account {_short(sig['account'])} already proved "
                        f"health for oracle epoch {eid}"
                    )
            if p.kind == "liquidate":
                sig = p.signals["liquidate"]
                eid = epochs["liquidate"][0]
                row = led._one(
                    "SELECT liquidated_batch FROM liquidatable WHERE epoch_id = ? AND account = ?",
                    (eid, str(sig["account"])),
                )
                if row is None:
                    raise LedgerError(
                        f"{w}: account {_short(sig['account'])} is not "
                        f"liquidatable in oracle epoch {eid}"
                    )
                if row[0] is not None:
                    raise LedgerError(
                        f"{w}: account {_short(sig['account'])} was already "
                        f"liquidated for oracle epoch {eid}"
                    )

    # step 3: proofs (batched per circuit key) and netting
    def _verify(self, batch, plans):
        if self.verifier is None:
            raise LedgerError("no proof verifier configured (no verifying keys)")
        groups: dict = {}
        for i, item in enumerate(batch.items):
            for role, bundle in item.proofs.items():
                groups.setdefault(bundle.circuit, []).append((i, role, bundle))
        for circuit, entries in groups.items():
            bad = self.verifier.failures(circuit, [(b.public, b.proof) for _, _, b in entries])
            if bad:
                i, role, _ = entries[min(bad)]
                raise LedgerError(
                    f"item {i} ({batch.items[i].kind}): {role} proof does not "
                    f"verify against the {circuit} key"
                )
        for p, item in zip(plans, batch.items):
            if item.kind != "trade":
                continue
            m = p.signals["match"]
            if not self.netting.verify([_pt(m, "leg_a"), _pt(m, "leg_b")], item.netting):
                raise LedgerError(
                    f"{p.where()}: netting proof does not verify (the legs do not balance)"
                )

    # step 4b: write (inside the transaction)
    def _write(self, conn, plans, digest, now):
        led = self.ledger
        n0 = led.n_leaves()
        seq = conn.execute("SELECT MAX(seq) FROM roots").fetchone()[0] + 1
        batch_id = (conn.execute("SELECT MAX(batch_id) FROM batches").fetchone()[0] or 0) + 1
        conn.execute(
            "INSERT INTO batches(batch_id, digest, n_items, applied_at, root_seq) "
            "VALUES (?, ?, ?, ?, ?)",
            (batch_id, digest, len(plans), now, seq),
        )
        leaves: list = []
        leaf_rows: list = []
        placed: list = []
        for p in plans:
            for role, c in p.commitments:
                idx = n0 + len(leaves)
                leaves.append(c)
                leaf_rows.append((idx, str(c), batch_id, p.index))
                placed.append((p.index, role, idx))
        conn.executemany(
            "INSERT INTO notes(leaf_index, commitment, batch_id, item_index) VALUES (?, ?, ?, ?)",
            leaf_rows,
        )
        conn.executemany(
            "INSERT INTO nullifiers(nullifier, batch_id, item_index) VALUES (?, ?, ?)",
            [(str(n), batch_id, p.index) for p in plans for _, n in p.nullifiers],
        )
        for p in plans:  # in item order: consume, then open remainders
            for o in p.orders:
                conn.execute("DELETE FROM open_orders WHERE order_point = ?", (point_key(o),))
                conn.execute(
                    "INSERT INTO consumed_orders(order_point, batch_id, item_index) "
                    "VALUES (?, ?, ?)",
                    (point_key(o), batch_id, p.index),
                )
            for o in p.opens:
                conn.execute(
                    "INSERT INTO open_orders(order_point, source, batch_id, item_index) "
                    "VALUES (?, ?, ?, ?)",
                    (
                        point_key(o),
                        "order" if p.kind == "order" else "remainder",
                        batch_id,
                        p.index,
                    ),
                )
        root = led.tree.append_many(n0, leaves)
        conn.execute(
            "INSERT INTO roots(seq, root, n_leaves, batch_id) VALUES (?, ?, ?, ?)",
            (seq, str(root), n0 + len(leaves), batch_id),
        )
        for p in plans:
            if p.kind in ("deposit", "withdraw"):
                sig = p.signals[p.kind]
                asset, account = str(sig["asset"]), str(sig["account"])
                delta = sig["amount"] if p.kind == "deposit" else -sig["amount"]
                bal = led.escrow_balance(asset) + delta
                conn.execute(
                    "INSERT INTO escrow(asset, balance) VALUES (?, ?) "
                    "ON CONFLICT(asset) DO UPDATE SET balance = excluded.balance",
                    (asset, str(bal)),
                )
                recipient = str(sig["recipient"]) if "recipient" in sig else None
                conn.execute(
                    "INSERT INTO escrow_moves(batch_id, item_index, account, asset, "
                    "delta, recipient) VALUES (?, ?, ?, ?, ?, ?)",
                    (batch_id, p.index, account, asset, str(delta), recipient),
                )
                if p.kind == "deposit":
                    conn.execute(
                        "INSERT OR IGNORE INTO accounts(account, first_batch) VALUES (?, ?)",
                        (account, batch_id),
                    )
            elif p.kind == "trade":
                m = p.signals["match"]
                conn.execute(
                    "INSERT INTO trades(trade_commitment, epoch_id, batch_id, item_index, "
                    "instrument, price, matched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        point_key(_pt(m, "leg_a")),
                        p.signals["leg_a"]["epoch_id"],
                        batch_id,
                        p.index,
                        str(m["instrument"]),
                        str(m["price"]) if m["reveal_price"] else None,
                        m["now"],
                    ),
                )
            elif p.kind == "health":
                sig = p.signals["health"]
                conn.execute(
                    "INSERT INTO health_proofs(epoch_id, account, batch_id, item_index, "
                    "proved_at) VALUES (?, ?, ?, ?, ?)",
                    (sig["epoch_id"], str(sig["account"]), batch_id, p.index, now),
                )
            elif p.kind == "liquidate":
                sig = p.signals["liquidate"]
                conn.execute(
                    "UPDATE liquidatable SET liquidated_batch = ? WHERE epoch_id = ? "
                    "AND account = ?",
                    (batch_id, sig["epoch_id"], str(sig["account"])),
                )
        return dict(
            batch_id=batch_id,
            digest=digest,
            root=root,
            n_items=len(plans),
            leaf_indices=tuple(placed),
            nullifiers=sum(len(p.nullifiers) for p in plans),
        )
