"""Orchestration for the trader's CLI and ``zkats demo``: a venue directory,
development keys, wallets, and the proofs each step needs.

A venue directory holds::

    venue.json          public: instruments, published oracle epochs, clock offset
    ledger.db           the settlement ledger (SQLite, :mod:`zkats.venue.ledger`)
    keys/NAME.zkey      proving keys of the venue circuits (development ceremony)
    keys/NAME.vkey.json their verification keys (what the settlement service loads)

Secrets never live there.  A **wallet** file (mode 0600, created with
``O_CREAT|O_EXCL``) holds one trader's keys (EdDSA private key, nullifier
key) and the opening of the account's live note; an **order** file (0600)
holds a signed order's opening.  Public outputs (batches of proofs and
public signals, RFQ requests, ledger summaries) carry only public signals.

Development keys: a power-14 powers-of-tau made locally (one contribution
from :mod:`secrets`) and one phase-2 contribution per circuit.  Their toxic
waste existed in this process only, but ONE party made them: a production
venue needs a multi-party ceremony.  Keys are cached (``$ZKATS_KEY_CACHE``,
default ``~/.cache/zkats/devkeys``) by the circuit's constraint-system hash,
so repeated ``venue init`` runs only copy files.
"""

import json
import os
import time
from pathlib import Path

from ..errors import InputError, LedgerError

#: the circuits whose proofs the settlement service verifies
CIRCUITS = ("order", "deposit", "match", "transition", "health", "liquidate", "withdraw")
POWER = 14
CEREMONY_WARNING = (
    "development keys: ONE party (this machine) made the powers of tau and "
    "the phase-2 contributions; a production venue needs a multi-party "
    "ceremony"
)


def _say(progress, msg):
    if progress:
        progress(msg)


# ---------------------------------------------------------------- secret files
def write_secret(path, obj):
    """Write JSON ``obj`` to a NEW file created with mode 0600 (refuses to
    overwrite: a secret file is never silently replaced)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{path}: already exists (secret files are never overwritten)") from None
    with os.fdopen(fd, "w") as fh:
        os.fchmod(fh.fileno(), 0o600)
        json.dump(obj, fh, indent=1)
        fh.write("\n")


def update_secret(path, obj):
    """Replace an existing secret file atomically, keeping mode 0600."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(obj, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, path)


def write_public(path, obj):
    Path(path).write_text(json.dumps(obj, indent=1) + "\n")


def read_json(path, kind=None):
    path = Path(path)
    try:
        d = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{path}: not a JSON file") from None
    if kind is not None and (not isinstance(d, dict) or d.get("kind") != kind):
        raise InputError(f"{path}: not a {kind} file")
    return d


def _int(d, k, path):
    try:
        return int(d[k])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: field {k!r} missing or not an integer") from None


# ---------------------------------------------------------------- (de)serialise
def note_to_json(n):
    return {
        "account": str(n.account),
        "npk": str(n.npk),
        "collateral": n.collateral,
        "model": n.model,
        "slots": [[str(s.instrument), s.position, s.cost] for s in n.slots],
        "salt": str(n.salt),
    }


def note_from_json(d, path):
    from .notes import Note, Slot

    try:
        slots = tuple(Slot(int(i), int(p), int(c)) for i, p, c in d["slots"])
        return Note(
            int(d["account"]),
            int(d["npk"]),
            int(d["collateral"]),
            int(d["model"]),
            slots,
            int(d["salt"]),
        )
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: malformed note") from None


def order_to_json(so):
    o = so.order
    (rx, ry), s = so.sig
    return {
        "kind": "zkats-order",
        "instrument": str(o.instrument),
        "side": o.side,
        "size": o.size,
        "limit": o.limit,
        "expiry": o.expiry,
        "account": str(o.account),
        "nonce": o.nonce,
        "blinding": str(so.blinding),
        "pub": [str(x) for x in so.pub],
        "npk": str(so.npk),
        "sig": [[str(rx), str(ry)], str(s)],
    }


def order_from_json(d, path):
    from .orders import Order, SignedOrder

    try:
        o = Order(
            int(d["instrument"]),
            int(d["side"]),
            int(d["size"]),
            int(d["limit"]),
            int(d["expiry"]),
            int(d["account"]),
            int(d["nonce"]),
        )
        (rx, ry), s = d["sig"]
        return SignedOrder(
            o,
            int(d["blinding"]),
            tuple(int(x) for x in d["pub"]),
            int(d["npk"]),
            ((int(rx), int(ry)), int(s)),
        )
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: malformed order file") from None


# ---------------------------------------------------------------- wallets
class Wallet:
    """One trader's secret file: keys and the opening of the live note.

    ``note``/``leaf``: the settled live note and its leaf index (None before
    the first deposit settles); ``pending``: the notes that proofs made but
    not yet settled would create (all spend the same note, so at most one
    can ever settle); the one the ledger holds is promoted to ``note``.
    Openings are never dropped until one of them settles.
    """

    def __init__(self, path, key, note=None, leaf=None, pending=(), name=""):
        self.path, self.key, self.note, self.leaf = Path(path), key, note, leaf
        self.pending = list(pending)
        self.name = name

    @classmethod
    def create(cls, path, name=""):
        from .keys import TraderKey

        w = cls(path, TraderKey.generate(), name=name)
        write_secret(path, w.to_json())
        return w

    @classmethod
    def load(cls, path):
        from .keys import TraderKey

        d = read_json(path, "zkats-wallet")
        try:
            key = TraderKey(bytes.fromhex(d["prv"]), int(d["nk"]))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: malformed wallet keys") from None
        note = note_from_json(d["note"], path) if d.get("note") else None
        if not isinstance(d.get("pending", []), list):
            raise InputError(f"{path}: malformed wallet (pending)")
        pending = [note_from_json(n, path) for n in d.get("pending", [])]
        leaf = d.get("leaf")
        if leaf is not None and (not isinstance(leaf, int) or leaf < 0):
            raise InputError(f"{path}: malformed wallet (leaf)")
        return cls(path, key, note, leaf, pending, str(d.get("name", "")))

    def to_json(self):
        return {
            "kind": "zkats-wallet",
            "name": self.name,
            "account": str(self.key.account),
            "prv": self.key.prv.hex(),
            "nk": str(self.key.nk),
            "note": note_to_json(self.note) if self.note else None,
            "leaf": self.leaf,
            "pending": [note_to_json(n) for n in self.pending],
        }

    def save(self):
        update_secret(self.path, self.to_json())

    def sync(self, ledger):
        """Promote the pending note if the ledger now holds it."""
        for n in self.pending:
            idx = ledger.note_index(n.commitment())
            if idx is not None:
                self.note, self.leaf, self.pending = n, idx, []
                self.save()
                return

    def spend(self, ledger):
        from zkats.circuits._state import Spend

        self.sync(ledger)
        if self.note is None:
            raise InputError(
                f"{self.path}: the account has no settled note yet (deposit first, then settle)"
            )
        sibs, bits = ledger.note_path(self.leaf)
        return Spend(self.note, self.key.nk, tuple(self.key.pub), tuple(sibs), tuple(bits))

    def set_pending(self, note):
        self.pending.append(note)
        self.save()


# ---------------------------------------------------------------- keys
def key_cache_dir():
    """The development-key cache (:func:`zkats.groth16.devsetup.cache_dir`)."""
    from ..groth16.devsetup import cache_dir

    return cache_dir()


def _atomic_copy(src, dst):
    from ..groth16.devsetup import atomic_copy

    atomic_copy(src, dst)


def dev_keys(keys_dir, ptau=None, progress=None, circuits=CIRCUITS):
    """Proving and verification keys for ``circuits`` in ``keys_dir``
    (development ceremony, cached by :mod:`zkats.groth16.devsetup`; see the
    module docstring).  ``ptau``: a prepared powers-of-tau file of power >=
    14 to use instead of making one.  Returns {name: seconds spent making
    the key (0 when cached)}."""
    from ..circuit import compile_circuit, load_circuit
    from ..groth16.devsetup import DevSetup

    keys_dir = Path(keys_dir)
    keys_dir.mkdir(parents=True, exist_ok=True)
    dev = DevSetup(key_cache_dir(), power=POWER, ptau=ptau, progress=progress)
    made = dev.keys([(name, compile_circuit(load_circuit(name))) for name in circuits])
    spent = {}
    for name, (zpath, vpath, secs) in made.items():
        _atomic_copy(zpath, keys_dir / f"{name}.zkey")
        _atomic_copy(vpath, keys_dir / f"{name}.vkey.json")
        spent[name] = secs
    return spent


# ---------------------------------------------------------------- the venue
def default_epoch_entries(instrument, mark):
    """One perpetual entry: mark = underlying, delta 1, IM 10%, MM 5%."""
    from . import units
    from .oracle import EpochEntry

    return [EpochEntry(instrument, mark, mark, units.GREEK_SCALE, 0, 1000, 500)]


class Venue:
    """A venue directory (see the module docstring).  ``clock`` (unix
    seconds) defaults to the wall clock plus the directory's development
    clock offset."""

    #: seconds per circuit of the key setup (set by :meth:`create`)
    key_timings: dict

    def __init__(self, directory, progress=None):
        self.dir = Path(directory)
        meta = self.dir / "venue.json"
        if not meta.exists():
            raise InputError(f"{self.dir}: not a venue directory (run `zkats venue init` first)")
        self.meta = read_json(meta, "zkats-venue")
        self.progress = progress
        self._svc = None
        self._zkeys = {}
        #: a ``prove(zkey_path, witness)`` that proves elsewhere (the CLI's
        #: ``--cluster``: the venue's own prover pool), or None (in-process)
        self.remote = None

    # -- creation
    @classmethod
    def init(cls, directory, ptau=None, progress=None, mark=60_000, circuits=CIRCUITS):
        """Create the venue directory.  ``circuits=()`` makes a venue without
        proving keys (tests of the commands that prove nothing)."""
        from . import instruments

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        if (d / "venue.json").exists():
            raise InputError(f"{d}: already a venue directory")
        timings = dev_keys(d / "keys", ptau=ptau, progress=progress, circuits=circuits)
        perp = instruments.perpetual("BTC", tick=1)
        meta = {
            "kind": "zkats-venue",
            "version": 1,
            "development_keys": True,
            "instruments": {"BTC-PERP": str(perp.id)},
            "epochs": {},
            "clock_offset": 0,
        }
        write_public(d / "venue.json", meta)
        v = cls(d, progress)
        v.service()  # creates the ledger
        v.publish_epoch({"BTC-PERP": mark})
        v.key_timings = timings
        return v

    def save_meta(self):
        write_public(self.dir / "venue.json", self.meta)

    def now(self):
        return int(time.time()) + int(self.meta.get("clock_offset", 0))

    def advance_clock(self, seconds):
        self.meta["clock_offset"] = int(self.meta.get("clock_offset", 0)) + int(seconds)
        self.save_meta()

    def service(self):
        if self._svc is None:
            from .settlement import Groth16Verifier, SettlementService

            self._svc = SettlementService(
                self.dir / "ledger.db",
                verifier=Groth16Verifier.from_dir(self.dir / "keys"),
                clock=self.now,
            )
        return self._svc

    @property
    def ledger(self):
        return self.service().ledger

    def close(self):
        if self._svc is not None:
            self._svc.close()
            self._svc = None

    def instrument(self, symbol):
        ids = self.meta["instruments"]
        if symbol not in ids:
            raise InputError(f"unknown instrument {symbol!r} (known: {', '.join(sorted(ids))})")
        return int(ids[symbol])

    def symbol(self, instrument):
        for s, i in self.meta["instruments"].items():
            if int(i) == int(instrument):
                return s
        return str(instrument)

    # -- oracle
    def epoch(self, epoch_id=None):
        from .oracle import Epoch, EpochEntry

        eps = self.meta["epochs"]
        if not eps:
            raise InputError("no oracle epoch published")
        eid = max(map(int, eps)) if epoch_id is None else int(epoch_id)
        if str(eid) not in eps:
            raise InputError(f"oracle epoch {eid} is unknown")
        return Epoch(eid, tuple(EpochEntry(*map(int, e)) for e in eps[str(eid)]["entries"]))

    def publish_epoch(self, marks, deadline_in=3600):
        """Publish the next oracle epoch with these marks ({symbol: price})."""
        from .oracle import Epoch

        entries = []
        for sym, mark in marks.items():
            entries += default_epoch_entries(self.instrument(sym), int(mark))
        eps = self.meta["epochs"]
        eid = (max(map(int, eps)) + 1) if eps else 1
        ep = Epoch(eid, tuple(entries))
        deadline = self.now() + int(deadline_in)
        self.service().publish_epoch(eid, ep.hash(), deadline)
        eps[str(eid)] = {
            "entries": [
                [
                    int(x)
                    for x in (
                        e.instrument,
                        e.mark,
                        e.underlying,
                        e.delta,
                        e.gamma,
                        e.im_bps,
                        e.mm_bps,
                    )
                ]
                for e in ep.entries
                if e.instrument
            ],
            "hash": str(ep.hash()),
            "deadline": deadline,
            "marks": {k: int(v) for k, v in marks.items()},
        }
        self.save_meta()
        return ep

    def close_epoch(self, epoch_id=None):
        ep = self.epoch(epoch_id)
        return ep.epoch_id, self.service().close_epoch(ep.epoch_id)

    # -- proving
    def prove(self, name, mod, pub, prv):
        """Native check (clear error), witness, Groth16 proof -> ProofBundle."""
        from ..circuit import compile_circuit, load_circuit
        from ..formats.zkey import read_zkey
        from ..groth16.prover import prove
        from .batch import ProofBundle

        mod.check(pub, prv)
        _say(self.progress, f"prove {name}")
        cc = compile_circuit(load_circuit(name))
        path = self.dir / "keys" / f"{name}.zkey"
        w = cc.solve(mod.inputs(pub, prv))
        if self.remote is not None:  # verified by the pool before it returns
            proof, public = self.remote(path, w.limbs())
        else:
            if name not in self._zkeys:
                self._zkeys[name] = read_zkey(path)
            proof, public = prove(self._zkeys[name], w.limbs(), check=False)
        if [int(x) for x in public] != [int(x) for x in pub.signals()]:
            raise InputError(f"{name}: the proof's public signals differ from the statement")
        return ProofBundle(name, tuple(int(x) for x in public), proof)

    # -- trader actions: each returns a batch Item (public) and updates wallets
    def deposit(self, wallet, amount):
        from zkats.circuits import deposit as dep
        from zkats.circuits._state import Spend

        from .batch import Item
        from .notes import Note

        if amount <= 0:
            raise InputError("deposit amount: must be positive")
        led = self.ledger
        wallet.sync(led)
        if wallet.note is None:
            empty = Note.open(wallet.key, collateral=0)
            spend, fresh = Spend.fresh(empty, wallet.key), True
        else:
            spend, fresh = wallet.spend(led), False
        pub, prv = dep.build(spend, led.current_root(), int(amount), fresh=fresh)
        item = Item("deposit", {"deposit": self.prove("deposit", dep, pub, prv)})
        wallet.set_pending(prv.new_note)
        return item

    def withdraw(self, wallet, amount, recipient):
        from zkats.circuits import withdraw as wd

        from .batch import Item

        led = self.ledger
        spend = wallet.spend(led)
        pub, prv = wd.build(spend, led.current_root(), int(amount), int(recipient), self.epoch())
        item = Item("withdraw", {"withdraw": self.prove("withdraw", wd, pub, prv)})
        wallet.set_pending(prv.new_note)
        return item

    def health(self, wallet):
        from zkats.circuits import health as hl

        from .batch import Item

        led = self.ledger
        spend = wallet.spend(led)
        pub, prv = hl.build(spend, led.current_root(), self.epoch())
        return Item("health", {"health": self.prove("health", hl, pub, prv)})

    def liquidate(self, wallet, epoch_id=None):
        """The risk engine's liquidation of ``wallet``'s account (closes every position)."""
        from zkats.circuits import liquidate as lq

        from .batch import Item

        led = self.ledger
        spend = wallet.spend(led)
        pub, prv = lq.build(spend, led.current_root(), self.epoch(epoch_id))
        item = Item("liquidate", {"liquidate": self.prove("liquidate", lq, pub, prv)})
        wallet.set_pending(prv.new_note)
        return item

    def new_order(self, wallet, symbol, side, size, limit, expiry_in=3600, nonce=None):
        import secrets

        from . import orders

        side = {"buy": orders.BUY, "sell": orders.SELL}.get(str(side).lower())
        if side is None:
            raise InputError("order side: buy or sell")
        o = orders.Order(
            self.instrument(symbol),
            side,
            int(size),
            int(limit),
            self.now() + int(expiry_in),
            wallet.key.account,
            secrets.randbits(63) if nonce is None else int(nonce),
        )
        return orders.sign_order(wallet.key, o)

    def order_item(self, so):
        """Prove a signed order (the ``order`` circuit): the batch item that
        opens it on the ledger, so a later match may consume it."""
        from zkats.circuits import order as oc

        from .batch import Item

        pub, prv = oc.build(so, self.now())
        return Item("order", {"order": self.prove("order", oc, pub, prv)})

    def match(self, so_a, so_b, wallet_a, wallet_b, fill=None, price=None):
        """Prove the match of two signed orders and both transitions; returns a trade Item."""
        from zkats.circuits import match as mt, transition as tr

        from . import orders
        from .batch import Item, NettingProof

        if so_a.order.account != wallet_a.key.account or so_b.order.account != wallet_b.key.account:
            raise InputError("match: an order does not belong to the wallet given for it")
        if so_a.order.side != orders.BUY:
            so_a, so_b, wallet_a, wallet_b = so_b, so_a, wallet_b, wallet_a
        fill = min(so_a.order.size, so_b.order.size) if fill is None else int(fill)
        price = so_b.order.limit if price is None else int(price)
        now = self.now()
        m = orders.make_match(so_a, so_b, fill, price)
        orders.check_match(m, now)
        led = self.ledger
        spends = (wallet_a.spend(led), wallet_b.spend(led))
        root, ep = led.current_root(), self.epoch()
        mpub, mprv = mt.build(m, now)
        legs = m.legs()
        built = [tr.build(s, root, leg, ep) for s, leg in zip(spends, legs)]
        for p, q in built:
            tr.check(p, q)  # fail before any proving (e.g. insufficient margin)
        proofs = {"match": self.prove("match", mt, mpub, mprv)}
        for role, (p, q) in zip(("leg_a", "leg_b"), built):
            proofs[role] = self.prove("transition", tr, p, q)
        n = orders.netting_proof(m)
        item = Item("trade", proofs, netting=NettingProof(R=n.R, s=n.s))
        wallet_a.set_pending(built[0][1].new_note)
        wallet_b.set_pending(built[1][1].new_note)
        return item, m

    def settle(self, items_or_batch):
        from .batch import Batch

        batch = (
            items_or_batch if isinstance(items_or_batch, Batch) else Batch(tuple(items_or_batch))
        )
        return self.service().apply(batch)


# ---------------------------------------------------------------- RFQ files (public)
def request_to_json(req):
    return {
        "kind": "zkats-rfq-request",
        "instrument": str(req.instrument),
        "side": req.side,
        "size": req.size,
        "expiry": req.expiry,
    }


def request_from_json(d, path):
    from .orders import Request

    try:
        return Request(int(d["instrument"]), int(d["side"]), int(d["size"]), int(d["expiry"]))
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: malformed RFQ request") from None


def account_view(wallet, epoch=None):
    """A trader's private view of the live note (for display only)."""
    n = wallet.note
    if n is None:
        return {"collateral": 0, "positions": []}
    pos = [
        {"instrument": str(s.instrument), "position": s.position, "cost": s.cost}
        for s in n.slots
        if s.position or s.cost
    ]
    out = {"collateral": n.collateral, "positions": pos}
    if epoch is not None:
        eq = n.collateral
        for s in n.slots:
            if s.position:
                eq += s.position * epoch.entry(s.instrument).mark - s.cost
        out["equity"] = eq
    return out


def check_healthy(wallet, epoch):
    """True iff the live note meets maintenance margin at ``epoch`` (native)."""
    from . import margin

    try:
        margin.check(wallet.note, epoch, maintenance=True)
        return True
    except InputError:
        return False


__all__ = ["Venue", "Wallet", "dev_keys", "CEREMONY_WARNING", "LedgerError"]
