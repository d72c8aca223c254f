"""The settlement service: verify a batch, then apply it atomically or not at all.

``SettlementService(path).apply(batch)`` runs, in order:

1. **decode** every proof's public signals with the statement class its role
   names (:data:`zkats.venue.rules.RULES`: the circuit class is the one
   declaration of the layout), and check the batch on its own: no nullifier,
   new note or order twice inside the batch, plus each kind's own item rules
   (a trade's transitions apply exactly the match's legs at one epoch, ...);
2. **pre-check** against the ledger without locking (cheap early rejection);
3. **verify** the proofs, batched per circuit key (:class:`ProofVerifier`
   adapter; a failing batch is re-checked to name the failing proof), and
   each trade's netting proof (:class:`NettingVerifier` adapter);
4. **apply** in one write transaction that first repeats every ledger check
   (another process may have committed since step 2), then appends the new
   notes in item order, spends nullifiers, consumes and opens orders, and
   lets each kind's rule record its effects (escrow, funds, trades, health,
   liquidations) through the ledger's methods.

Any failure raises :class:`LedgerError` naming the item (index and kind) and
what failed, and leaves the ledger unchanged.  Messages carry only public
values.  Replays are refused because their nullifiers (every spend, and a
fresh deposit's genesis nullifier) or consumed orders are already in the
ledger, never by comparing proof bytes.  A proof is always verified with
the key of the circuit its ROLE requires, whatever the bundle claims.
"""

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, LedgerError
from . import rules
from .batch import Batch, Item
from .ledger import CommitUnknown, Ledger, batch_landed
from .rules import short as _short

# --------------------------------------------------------------------------
# adapter 1: proof verification, batched per circuit key
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

    One random-linear-combination check for all the proofs of a batch,
    whatever their circuits (:meth:`failures_many`: one pairing product, one
    final exponentiation); only if it fails are the circuits, then the
    proofs, checked on their own to find the culprits.
    """

    def __init__(self, keys: dict):
        self.keys = dict(keys)

    @classmethod
    def from_dir(cls, directory, circuits=None):
        """Load ``NAME.vkey.json`` (snarkjs verification_key.json) per circuit."""
        import os

        from ..formats.snarkjs_json import read_verification_key

        keys = {}
        for name in circuits or rules.circuits():
            p = os.path.join(str(directory), f"{name}.vkey.json")
            if os.path.exists(p):
                keys[name] = read_verification_key(p)
        return cls(keys)

    def failures_many(self, groups: dict) -> dict:
        """``{circuit: [(public, proof), ...]}`` -> ``{circuit: [bad indices]}``:
        every group in ONE randomised pairing product (one final
        exponentiation for the whole batch); only if it fails is each circuit
        checked on its own (:meth:`failures`) to name the culprits."""
        from ..groth16 import verifier

        for circuit in groups:
            if circuit not in self.keys:
                raise LedgerError(f"no verifying key for circuit {circuit!r}")
        order = list(groups)
        try:
            bad = verifier.batch_failures_many(
                [(self.keys[c], [(list(pub), proof) for pub, proof in groups[c]]) for c in order]
            )
            if not any(bad):
                return {c: [] for c in order}
        except InputError:
            pass
        return {c: self.failures(c, groups[c]) for c in order}

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
# adapter 2: netting (sum of the trade's commitments is a commitment to 0)
# --------------------------------------------------------------------------


class NettingVerifier:
    """Interface: ``verify(points, proof) -> bool`` for a trade.

    ``points`` are the Baby Jubjub points (x, y) whose sum must be a
    commitment to zero; ``proof`` is a :class:`zkats.venue.batch.NettingProof`.
    """

    def verify(self, points, proof) -> bool:
        raise NotImplementedError

    def failures(self, cases) -> list[int]:
        """Indices of the ``cases`` (``[(points, proof), ...]``, one a trade)
        that do not verify; empty when all do.  This default checks them one
        by one; a verifier may batch them."""
        return [i for i, (points, proof) in enumerate(cases) if not self.verify(points, proof)]


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
        from ..domain import tags
        from ..domain.fast_hash import poseidon_plain

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

    def failures(self, cases):
        """All the trades' checks at once: every leg and ``R`` subgroup-checked
        in one native call, the challenges in one Poseidon call, and the n
        equations ``s_i*H == R_i + c_i*S_i`` combined with random 128-bit
        weights z_i (from :mod:`secrets`, drawn after the batch is fixed):

            (sum z_i s_i) H - sum z_i R_i - sum z_i c_i S_i == 0,

        one multi-scalar multiplication.  All points are then in the prime
        order-L subgroup, so a batch with a false equation passes with
        probability below 2^-127.  If anything fails, every trade is checked
        on its own (:meth:`verify`) to name the culprits."""
        import secrets

        from .. import bn254
        from ..commit.pedersen import L, blinding_generator
        from ..domain import tags
        from ..domain.fast_hash import poseidon_many

        cases = list(cases)
        one_by_one = super().failures
        legs, rs, ss = [], [], []
        try:
            for points, proof in cases:
                a, b = [(int(x), int(y)) for x, y in points]  # a trade's two legs
                legs.append((a, b))
                rs.append((int(proof.R[0]), int(proof.R[1])))
                s = proof.s
                if not isinstance(s, int) or isinstance(s, bool) or not 0 <= s < L:
                    return one_by_one(cases)
                ss.append(s)
        except (TypeError, ValueError, AttributeError, IndexError):
            return one_by_one(cases)
        if not cases:
            return []
        flat = [p for pair, r in zip(legs, rs) for p in (*pair, r)]
        if bn254.bjj_check_subgroup(flat) != -1:
            return one_by_one(cases)
        totals = bn254.bjj_add_pairs([a for a, _ in legs], [b for _, b in legs])
        cs = poseidon_many([tags.NETTING, 2, t[0], t[1], r[0], r[1], 0] for t, r in zip(totals, rs))
        z = [secrets.randbits(128) | 1 for _ in cases]
        scalars = (
            [sum(zi * si for zi, si in zip(z, ss)) % L]
            + [L - zi for zi in z]
            + [(-zi * (c % L)) % L for zi, c in zip(z, cs)]
        )
        points = [blinding_generator()] + rs + totals
        if bn254.bjj_lincomb(points, scalars) == (0, 1):
            return []
        return one_by_one(cases)


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


@dataclass(frozen=True)
class Prepared:
    """A batch decoded, pre-checked and verified (:meth:`SettlementService.prepare`)."""

    plans: list
    digest: str
    now: int
    verify_seconds: float


@dataclass
class _ItemPlan:
    index: int
    rule: rules.Rule
    signals: dict[str, Any]  # role -> Signals of the role's statement
    roots: list[tuple[str, int]] = field(default_factory=list)  # (role, root)
    nullifiers: list[tuple[str, int]] = field(default_factory=list)  # spent here
    live: list[tuple[str, int]] = field(default_factory=list)  # must be unspent
    commitments: list[tuple[str, int]] = field(default_factory=list)
    ciphertexts: dict[str, tuple] = field(default_factory=dict)  # role -> new note's
    epoch_refs: list[tuple[str, int, int]] = field(default_factory=list)  # (role, id, hash)
    epochs: dict[str, tuple] = field(default_factory=dict)  # role -> (id, deadline, closed)
    operator: Any = None  # the item's operator-signed request (fund_withdraw)
    orders: list[tuple[int, int]] = field(default_factory=list)  # consumed points
    opens: list[tuple[int, int]] = field(default_factory=list)  # opened points

    @property
    def kind(self):
        return self.rule.kind

    def where(self):
        return f"item {self.index} ({self.kind})"


class SettlementService:
    """Applies batches to the ledger at ``path`` (created if missing).

    ``verifier`` and ``netting`` are the adapters above (defaults: Groth16
    with keys from ``keys_dir``, and :class:`SchnorrNettingVerifier`);
    ``clock`` returns unix seconds (health deadlines, match and order
    times).  ``depth``/``hash2`` go to :class:`Ledger`.
    ``require_open_orders`` (default True): a match may consume only orders
    opened by an ``order`` proof or left as a remainder by an earlier match.
    ``oracle_key``: the oracle's public key, recorded in a new ledger (an
    existing ledger keeps its own); epochs must be signed by it.
    ``operator_key`` likewise: fund withdrawals must be signed by it.
    """

    def __init__(
        self,
        path,
        verifier: ProofVerifier | None = None,
        netting=None,
        keys_dir=None,
        clock=None,
        depth=None,
        hash2=None,
        busy_timeout=None,
        require_open_orders=True,
        oracle_key=None,
        operator_key=None,
    ):
        kw = {} if busy_timeout is None else {"busy_timeout": busy_timeout}
        self._target = str(path)
        self.ledger = Ledger(
            path,
            depth=depth,
            hash2=hash2,
            oracle_key=oracle_key,
            operator_key=operator_key,
            **kw,
        )
        if verifier is None and keys_dir is not None:
            verifier = Groth16Verifier.from_dir(keys_dir)
        self.verifier = verifier
        self.netting = netting or SchnorrNettingVerifier()
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
    def publish_epoch(self, epoch_id, data_hash, deadline, signature):
        """Publish an epoch signed by the ledger's oracle key (see :meth:`Ledger.publish_epoch`)."""
        self.ledger.publish_epoch(epoch_id, data_hash, deadline, signature, now=self.clock())

    def close_epoch(self, epoch_id):
        return self.ledger.close_epoch(epoch_id, now=self.clock())

    # -- the pipeline ---------------------------------------------------------

    def apply(self, batch: Batch) -> BatchReceipt:
        """Verify and apply ``batch``; raise LedgerError (nothing applied) if any check fails."""
        result = self.apply_prepared([self.prepare(batch)])[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def prepare(self, batch: Batch) -> "Prepared":
        """Steps 1-3 (decode, pre-check, verify) without the write lock;
        raise LedgerError if the batch is refused."""
        if not isinstance(batch, Batch):
            raise LedgerError("apply() needs a zkats.venue.batch.Batch")
        if not batch.items:
            raise LedgerError("batch is empty")
        t0 = time.perf_counter()
        now = self.clock()
        plans = [self._decode(i, item, now) for i, item in enumerate(batch.items)]
        self._check_within_batch(plans)
        with self.ledger.balances_read_once():
            self._check_ledger(plans, now)
        self._verify(batch, plans)
        return Prepared(plans, batch.digest(), now, time.perf_counter() - t0)

    def apply_prepared(self, prepared: "Sequence[Prepared]") -> list:
        """Step 4 for batches :meth:`prepare` accepted, in ONE write
        transaction (group commit: one lock, one commit, one fsync for all).
        Each batch is checked again against the ledger as the batches before
        it in the list left it; a batch those checks refuse is rolled back
        to its savepoint and left out, the others commit.  Returns, per
        batch, its :class:`BatchReceipt` or the LedgerError that refused it
        (nothing of it applied).  If the transaction itself fails, every
        batch gets that error (nothing was applied)."""
        led = self.ledger
        t1 = time.perf_counter()
        results: list = [None] * len(prepared)
        written: dict[int, dict] = {}
        group = len(prepared) > 1
        try:
            with led.write():
                for k, p in enumerate(prepared):
                    if not group:
                        self._check_ledger(p.plans, p.now)
                        written[k] = self._write(p.plans, p.digest, p.now)
                        continue
                    mark = led.savepoint()
                    try:
                        self._check_ledger(p.plans, p.now)
                        written[k] = self._write(p.plans, p.digest, p.now)
                        led.release(mark)
                    except (LedgerError, *led.conn.integrity_errors) as err:
                        led.rollback_to(mark)  # (raises if the connection is gone)
                        written.pop(k, None)
                        results[k] = (
                            err
                            if isinstance(err, LedgerError)
                            else LedgerError(f"batch conflicts with the ledger ({err})")
                        )
        except CommitUnknown as err:
            # the connection went while COMMIT was under way: ask the database
            for k, receipt in list(written.items()):
                if batch_landed(self._target, prepared[k].digest) != receipt["batch_id"]:
                    written.pop(k)
                    results[k] = LedgerError(f"{err}; it was not committed: nothing was applied")
        except sqlite3.IntegrityError as err:
            # unreachable while the checks above hold the write lock; a backstop
            written.clear()
            failed = LedgerError(f"batch conflicts with the ledger ({err})")
            results = [failed] * len(prepared)
        except sqlite3.Error as err:  # I/O error, disk full, ...: rolled back
            written.clear()
            failed = LedgerError(f"{led.path}: ledger write failed ({err}); nothing was applied")
            results = [failed] * len(prepared)
        except BaseException as err:
            if not group:
                raise
            written.clear()
            results = [err] * len(prepared)
        t2 = time.perf_counter()
        for k, receipt in written.items():
            results[k] = BatchReceipt(
                verify_seconds=prepared[k].verify_seconds, apply_seconds=t2 - t1, **receipt
            )
        return results

    # step 1: decode and check each item on its own
    def _decode(self, index, item: Item, now) -> _ItemPlan:
        where = f"item {index} ({item.kind})"
        rule = rules.RULES.get(item.kind)
        if rule is None:
            raise LedgerError(f"{where}: unknown item kind")
        signals = {}
        for role, bundle in item.proofs.items():
            statement = rule.roles.get(role)
            if statement is None:
                raise LedgerError(f"{where}: unexpected {role} proof")
            if bundle.circuit != statement.circuit_name:
                raise LedgerError(
                    f"{where}: {role} proof must be a {statement.circuit_name} proof, "
                    f"not {bundle.circuit}"
                )
            try:
                signals[role] = statement.decode(bundle.public)
            except InputError as err:
                raise LedgerError(f"{where}: {role} proof: {err}") from None
        plan = _ItemPlan(index, rule, signals, operator=item.operator)
        for role, sig in signals.items():
            names = sig.names()
            if "root" in names:
                plan.roots.append((role, sig.root))
            if "nullifier" in names:
                (plan.nullifiers if rule.spends else plan.live).append((role, sig.nullifier))
            if "commitment" in names and isinstance(sig.commitment, int):
                plan.commitments.append((role, sig.commitment))
                if "ciphertext" in names:
                    plan.ciphertexts[role] = sig.ciphertext
            if "epoch_hash" in names:
                plan.epoch_refs.append((role, sig.epoch_id, sig.epoch_hash))
        try:
            rule.decode(plan, now)
        except InputError as err:
            raise LedgerError(f"{where}: {err}") from None
        return plan

    @staticmethod
    def _check_within_batch(plans):
        seen_n: dict[int, str] = {}
        seen_c: dict[int, str] = {}
        seen_o: dict[tuple, str] = {}
        seen_key: dict[tuple, bool] = {}
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
                        f"{p.where()}: order {_short(o[0])} is consumed (matched or "
                        f"cancelled) twice in this batch (also {seen_o[o]})"
                    )
                seen_o[o] = p.where()
            key = p.rule.batch_key(p)
            if key is not None:
                if key in seen_key:
                    raise LedgerError(
                        f"{p.where()}: duplicate {p.kind} for account {_short(key[2])} "
                        f"and epoch {key[1]} in this batch"
                    )
                seen_key[key] = True
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
        pending = rules.Pending(led, now)
        # everything the checks ask the ledger, in one query per table
        known = led.known(
            roots=[r for p in plans for _, r in p.roots],
            nullifiers=[n for p in plans for _, n in p.nullifiers + p.live],
            commitments=[c for p in plans for _, c in p.commitments],
            orders=[o for p in plans for o in p.orders + p.opens],
            epoch_hashes=[h for p in plans for _, _, h in p.epoch_refs],
        )
        for p in plans:
            w = p.where()
            for role, root in p.roots:
                if root not in known.roots:
                    raise LedgerError(f"{w}: {role} proof uses unknown Merkle root {_short(root)}")
            for role, n in p.nullifiers + p.live:
                if n in known.spent:
                    raise LedgerError(f"{w}: {role} nullifier {_short(n)} is already spent")
            for role, c in p.commitments:
                if c in known.notes:
                    raise LedgerError(f"{w}: {role} note commitment {_short(c)} already exists")
            p.epochs = {}
            for role, eid, ehash in p.epoch_refs:
                row = known.epochs.get(ehash)
                if row is None or row[0] != eid:
                    raise LedgerError(
                        f"{w}: {role} proof uses unknown oracle epoch {eid} "
                        f"(or its data hash does not match)"
                    )
                if p.rule.latest_epoch and (latest is None or eid != latest[0]):
                    raise LedgerError(f"{w}: {role} proof uses oracle epoch {eid}, not the latest")
                p.epochs[role] = row
            for o in p.orders:
                if known.order_consumed(o) or o in pending.consumed:
                    raise LedgerError(f"{w}: order {_short(o[0])} was already matched or cancelled")
                if (
                    self.require_open_orders
                    and not p.rule.consumes_unopened
                    and o not in pending.opened
                    and not known.order_open(o)
                ):
                    raise LedgerError(
                        f"{w}: order {_short(o[0])} is not open (no order proof "
                        f"or earlier remainder)"
                    )
                pending.consumed.add(o)
            for o in p.opens:
                if (
                    o in pending.opened
                    or o in pending.consumed
                    or known.order_open(o)
                    or known.order_consumed(o)
                ):
                    raise LedgerError(
                        f"{w}: order commitment {_short(o[0])} was already opened "
                        f"(or matched or cancelled)"
                    )
                pending.opened.add(o)
            p.rule.check(p, pending)

    # step 3: proofs (batched per circuit key) and netting
    def _verify(self, batch, plans):
        if self.verifier is None:
            raise LedgerError("no proof verifier configured (no verifying keys)")
        groups: dict[str, list] = {}
        for p, item in zip(plans, batch.items):
            for role, bundle in item.proofs.items():
                circuit = p.rule.roles[role].circuit_name
                # the Groth16 public inputs: the record's public signals (its
                # carried values are bound by their hash among them, checked
                # when decoded)
                pair = (p.signals[role].proof_values(), bundle.proof)
                groups.setdefault(circuit, []).append((p.index, role, pair))
        pairs = {c: [pair for _, _, pair in e] for c, e in groups.items()}
        many = getattr(self.verifier, "failures_many", None)
        if many is not None:  # all circuits in one pairing product
            failed = many(pairs)
        else:
            failed = {c: self.verifier.failures(c, pairs[c]) for c in pairs}
        for circuit, entries in groups.items():
            bad = failed[circuit]
            if bad:
                i, role, _ = entries[min(bad)]
                raise LedgerError(
                    f"item {i} ({batch.items[i].kind}): {role} proof does not "
                    f"verify against the {circuit} key"
                )
        trades = [(p, item) for p, item in zip(plans, batch.items) if p.kind == "trade"]
        cases = [
            ([p.signals["match"].leg_a, p.signals["match"].leg_b], it.netting) for p, it in trades
        ]
        batched = getattr(self.netting, "failures", None)
        if batched is not None:
            bad = batched(cases) if cases else []
        else:  # an adapter with only verify()
            bad = [i for i, (pts, pr) in enumerate(cases) if not self.netting.verify(pts, pr)]
        if bad:
            raise LedgerError(
                f"{trades[min(bad)][0].where()}: netting proof does not verify "
                f"(the legs do not balance)"
            )

    # step 4b: write (inside the transaction)
    def _write(self, plans, digest, now):
        # PostgreSQL: the statements go out pipelined (a round trip only where
        # a result is read: ids, leaf count, tree neighbours, balances once)
        with self.ledger.conn.pipeline():
            return self._write_rows(plans, digest, now)

    def _write_rows(self, plans, digest, now):
        led = self.ledger
        batch_id = led.begin_batch(digest, len(plans), now)
        new_notes = [
            (p.index, c, p.ciphertexts.get(role)) for p in plans for role, c in p.commitments
        ]
        n0, root = led.append_notes(batch_id, new_notes)
        placed: list[tuple[int, str, int]] = []
        for p in plans:
            for role, _ in p.commitments:
                placed.append((p.index, role, n0 + len(placed)))
        led.record_nullifiers(batch_id, [(p.index, n) for p in plans for _, n in p.nullifiers])
        # every order the batch opens, then every order it consumes (an order
        # opened by one item may be matched by a later one; the checks refuse
        # re-opening an order consumed earlier in the batch)
        led.open_orders(
            batch_id,
            [
                (p.index, o, "order" if p.kind == "order" else "remainder")
                for p in plans
                for o in p.opens
            ],
        )
        led.consume_orders(batch_id, [(p.index, o) for p in plans for o in p.orders])
        for p in plans:
            p.rule.apply(led, p, batch_id, now)
        led.conn.flush()  # the queued rows, still inside the pipeline
        return dict(
            batch_id=batch_id,
            digest=digest,
            root=root,
            n_items=len(plans),
            leaf_indices=tuple(placed),
            nullifiers=sum(len(p.nullifiers) for p in plans),
        )
