"""Orchestration for the trader's CLI and ``zkats demo``: a venue directory,
development keys, wallets, and the proofs each step needs.

A venue directory holds::

    venue.json          public: instruments, published oracle epochs (with the
                        oracle's signatures), the oracle's public key, clock offset
    ledger.db           the settlement ledger (SQLite, :mod:`zkats.venue.ledger`)
    oracle.key          SECRET (mode 0600): the oracle's signing key
                        (:mod:`zkats.domain.oracle_key`), made from ``secrets``
                        by ``venue init``; every epoch is signed with it
    operator.key        SECRET (mode 0600): the operator's signing key
                        (:mod:`zkats.domain.operator_key`); the only way the
                        venue takes money out of its fee account and
                        insurance fund
    keys/NAME.zkey      proving keys of the venue circuits (development ceremony)
    keys/NAME.vkey.json their verification keys (what the settlement service loads)

The oracle and operator keys are the directory's only secrets (a
development venue runs its own oracle; a production oracle keeps its key
elsewhere and hands over signed epochs).  Trader secrets never live there.
A **wallet** file (mode 0600, created with ``O_CREAT|O_EXCL``) holds one
trader's keys (EdDSA private key, nullifier key) and the opening of the
account's live note; an **order** file (0600) holds a signed order's
opening.  Public outputs (batches of proofs and
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
from dataclasses import replace
from pathlib import Path

from ..domain import units
from ..errors import InputError, LedgerError
from . import preflight

#: the development powers of tau: 2^15 for the ci size's circuits (transition
#: ~22,500 constraints), 2^16 for production's (~64,700)
POWER = 15 if units.SIZE == "ci" else 16
ORACLE_KEY_FILE = "oracle.key"
OPERATOR_KEY_FILE = "operator.key"
CEREMONY_WARNING = (
    "development keys: ONE party (this machine) made the powers of tau and "
    "the phase-2 contributions; a production venue needs a multi-party "
    "ceremony"
)


def _say(progress, msg):
    if progress:
        progress(msg)


def venue_circuits():
    """The circuits whose proofs the settlement service verifies: every
    role of every rule (:data:`zkats.venue.rules.RULES`), so a statement
    added with its rule gets its keys at ``venue init``."""
    # local import: the circuits load when a command needs them (CLI start-up)
    from .rules import circuits

    return tuple(circuits())


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
    from ..domain.notes import Note, Slot

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
        "ak": [str(x) for x in so.ak],
        "npk": str(so.npk),
        "lk": [str(x) for x in so.lk],
        "sig": [[str(rx), str(ry)], str(s)],
    }


def order_from_json(d, path):
    from ..domain.orders import Order, SignedOrder

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
            tuple(int(x) for x in d["ak"]),
            int(d["npk"]),
            tuple(int(x) for x in d["lk"]),
            ((int(rx), int(ry)), int(s)),
        )
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: malformed order file") from None


# ---------------------------------------------------------------- wallets
WALLET_KINDS = {
    "zkats-wallet": "the owner's wallet (spending key)",
    "zkats-liquidation-capability": "a liquidation capability",
    "zkats-viewing-key": "a viewing key",
}


#: leaves per ledger page when a wallet follows its account
NOTES_PAGE = 1000


class Wallet:
    """One account's secret file: a key and the opening of the live note.

    ``key`` is what the file holds: the owner's :class:`SpendingKey` (a
    wallet), or a delegable part of it (``zkats keys export``): a
    :class:`LiquidationCapability` (the risk engine: can prove ``liquidate``
    only) or a :class:`ViewingKey` (an auditor: reads, proves ``health``,
    authorises nothing).  ``note``/``leaf``: the settled live note and its
    leaf index (None before the first deposit settles); ``pending``: the
    notes that proofs made but not yet settled would create (all spend the
    same note, so at most one can ever settle); the one the ledger holds is
    promoted to ``note``.  Openings are never dropped until one of them
    settles.
    """

    def __init__(self, path, key, note=None, leaf=None, pending=(), name="", venue=None):
        self.path, self.key, self.note, self.leaf = Path(path), key, note, leaf
        self.pending = list(pending)
        self.name = name
        #: the id of the venue the account belongs to (``venue.json``'s
        #: ``venue_id``), recorded by its first deposit; None before
        self.venue = venue

    @property
    def view(self):
        from ..domain.keys import ViewingKey

        return self.key if isinstance(self.key, ViewingKey) else self.key.view

    @property
    def account(self):
        return self.view.account

    @property
    def kind(self):
        from ..domain.keys import LiquidationCapability, SpendingKey

        if isinstance(self.key, SpendingKey):
            return "zkats-wallet"
        if isinstance(self.key, LiquidationCapability):
            return "zkats-liquidation-capability"
        return "zkats-viewing-key"

    def owner_key(self, what):
        """The spending key, or a one-line error naming what needs it."""
        from ..domain.keys import SpendingKey

        if not isinstance(self.key, SpendingKey):
            raise InputError(
                f"{self.path}: {what} needs the owner's wallet (this file is "
                f"{WALLET_KINDS[self.kind]})"
            )
        return self.key

    def liquidation_key(self):
        from ..domain.keys import LiquidationCapability, SpendingKey

        if isinstance(self.key, SpendingKey):
            return self.key.liquidation_capability()
        if isinstance(self.key, LiquidationCapability):
            return self.key
        raise InputError(f"{self.path}: liquidation needs a liquidation capability")

    @classmethod
    def create(cls, path, name=""):
        from ..domain.keys import SpendingKey

        w = cls(path, SpendingKey.generate(), name=name)
        write_secret(path, w.to_json())
        return w

    @classmethod
    def load(cls, path):
        from ..domain.keys import LiquidationCapability, SpendingKey, ViewingKey

        d = read_json(path)
        kind = d.get("kind") if isinstance(d, dict) else None
        if kind not in WALLET_KINDS:
            raise InputError(f"{path}: not a wallet, liquidation capability or viewing key file")
        try:
            if kind == "zkats-wallet":
                key = SpendingKey(bytes.fromhex(d["sk"]))
            elif kind == "zkats-liquidation-capability":
                key = LiquidationCapability.from_json(d["capability"], f"{path}: capability")
            else:
                key = ViewingKey.from_json(d["view"], f"{path}: viewing key")
        except (KeyError, TypeError, ValueError, InputError):
            raise InputError(f"{path}: malformed wallet keys ({WALLET_KINDS[kind]})") from None
        if str(d.get("account")) != str(key.account):
            raise InputError(f"{path}: malformed wallet keys (the account does not match)")
        note = note_from_json(d["note"], path) if d.get("note") else None
        if not isinstance(d.get("pending", []), list):
            raise InputError(f"{path}: malformed wallet (pending)")
        pending = [note_from_json(n, path) for n in d.get("pending", [])]
        leaf = d.get("leaf")
        if leaf is not None and (not isinstance(leaf, int) or leaf < 0):
            raise InputError(f"{path}: malformed wallet (leaf)")
        venue = d.get("venue")
        if venue is not None and not isinstance(venue, str):
            raise InputError(f"{path}: malformed wallet (venue)")
        return cls(path, key, note, leaf, pending, str(d.get("name", "")), venue)

    def to_json(self):
        from ..domain.keys import LiquidationCapability, SpendingKey

        out = {
            "kind": self.kind,
            "name": self.name,
            "account": str(self.account),
            "venue": self.venue,
        }
        if isinstance(self.key, SpendingKey):
            out["sk"] = self.key.sk.hex()
        elif isinstance(self.key, LiquidationCapability):
            out["capability"] = self.key.to_json()
        else:
            out["view"] = self.key.to_json()
        out.update(
            note=note_to_json(self.note) if self.note else None,
            leaf=self.leaf,
            pending=[note_to_json(n) for n in self.pending],
        )
        return out

    def export(self, path, what):
        """Write the delegable part ``what`` ("liquidation" or "viewing") with
        the current note openings to ``path`` (mode 0600); the spending key
        is never written."""
        key = self.owner_key(f"exporting a {what} key")
        part = key.liquidation_capability() if what == "liquidation" else key.view
        out = Wallet(path, part, self.note, self.leaf, self.pending, self.name, self.venue)
        write_secret(path, out.to_json())
        return out

    def save(self):
        update_secret(self.path, self.to_json())

    def sync(self, ledger):
        """Bring the file to the ledger: promote the pending note the ledger
        now holds, then follow the account's newer notes from their public
        ciphertexts (:meth:`follow`).  Saves (atomically, mode kept) when
        anything changed; returns the ``[(leaf, note)]`` found by decryption."""
        for n in self.pending:
            idx = ledger.note_index(n.commitment())
            if idx is not None:
                self.note, self.leaf, self.pending = n, idx, []
                self.save()
                break
        found = self.follow(ledger)
        if found:
            self.note, self.leaf = found[-1][1], found[-1][0]
            self.pending = []
            self.save()
        return found

    def follow(self, ledger, after=None):
        """The account's notes in the ledger after leaf ``after`` (default:
        the file's leaf; all of them if it has none), found by trial-decrypting every newer leaf's
        ciphertext with the viewing secret (:func:`zkats.domain.note_cipher.decrypt`:
        a decrypted opening must recompute the leaf's commitment).  Every
        statement that creates a note spends the account's previous one, so
        the last found is the live note.  Writes nothing."""
        from ..domain.note_cipher import decrypt, keystreams

        pages = getattr(ledger, "notes_page", None)
        if pages is None:
            return []
        after = self.leaf if after is None else after
        view, after, found = self.view, -1 if after is None else after, []
        while True:
            rows = pages(after, NOTES_PAGE)
            rows_ct = [r for r in rows if r.get("ciphertext")]
            streams = keystreams(view.vsk, [int(r["commitment"]) for r in rows_ct])
            for r, stream in zip(rows_ct, streams):
                note = decrypt(view, int(r["commitment"]), r["ciphertext"], stream)
                if note is not None:
                    found.append((int(r["leaf_index"]), note))
            if len(rows) < NOTES_PAGE:
                return found
            after = rows[-1]["leaf_index"]

    def spend(self, ledger):
        from zkats.circuits._spend import Spend

        self.sync(ledger)
        if self.note is None:
            raise InputError(
                f"{self.path}: the account has no settled note yet (deposit first, then settle)"
            )
        sibs, bits = ledger.note_path(self.leaf)
        return Spend(self.note, self.view, tuple(sibs), tuple(bits))

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


def dev_keys(keys_dir, ptau=None, progress=None, circuits=None):
    """Proving and verification keys for ``circuits`` (default: the venue's,
    :func:`venue_circuits`) in ``keys_dir``
    (development ceremony, cached by :mod:`zkats.groth16.devsetup`; see the
    module docstring).  ``ptau``: a prepared powers-of-tau file of power >=
    14 to use instead of making one.  Returns {name: seconds spent making
    the key (0 when cached)}."""
    from ..circuit import compile_circuit, load_circuit
    from ..groth16.devsetup import DevSetup

    keys_dir = Path(keys_dir)
    keys_dir.mkdir(parents=True, exist_ok=True)
    dev = DevSetup(key_cache_dir(), power=POWER, ptau=ptau, progress=progress)
    names = venue_circuits() if circuits is None else circuits
    made = dev.keys([(name, compile_circuit(load_circuit(name))) for name in names])
    spent = {}
    for name, (zpath, vpath, secs) in made.items():
        _atomic_copy(zpath, keys_dir / f"{name}.zkey")
        _atomic_copy(vpath, keys_dir / f"{name}.vkey.json")
        spent[name] = secs
    return spent


# ---------------------------------------------------------------- the venue
def default_epoch_entries(instrument, mark, funding=0, asset=0):
    """One perpetual entry: mark = underlying, delta 1, IM 10%, MM 5%, its
    cumulative funding index, the asset it follows (0: its own) and its
    exact risk array (:func:`zkats.domain.oracle.linear_risk`)."""
    from ..domain import units
    from ..domain.oracle import EpochEntry

    return [
        EpochEntry(instrument, mark, mark, units.GREEK_SCALE, 0, 1000, 500, funding, asset=asset)
    ]


def _price_and_years(inst, underlying, now, what):
    """``(S, years to expiry)`` of option ``inst``: ``S`` from ``underlying``
    ({asset: price}), else a one-line error starting with ``what``."""
    S = underlying.get(inst.underlying)
    if S is None:
        raise InputError(
            f"{what}: an option needs its underlying's price (--underlying {inst.underlying}=PRICE)"
        )
    return S, (inst.expiry - now) / (365 * 86400)


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
        size = self.meta.get("size", "ci")
        if size != units.SIZE:
            raise InputError(
                f"{self.dir}: a venue of size {size!r}, and this zkats runs at size "
                f"{units.SIZE!r} (set ZKATS_VENUE_SIZE={size})"
            )
        self.progress = progress
        self._svc = None
        self._zkeys = {}
        #: a ``prove(zkey_path, witness)`` that proves elsewhere (the CLI's
        #: ``--cluster``: the venue's own prover pool), or None (in-process)
        self.remote = None

    # -- creation
    @classmethod
    def init(cls, directory, ptau=None, progress=None, mark=60_000, circuits=None):
        """Create the venue directory.  ``circuits=()`` makes a venue without
        proving keys (tests of the commands that prove nothing)."""
        import secrets

        from ..domain import instruments

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        if (d / "venue.json").exists():
            raise InputError(f"{d}: already a venue directory")
        timings = dev_keys(d / "keys", ptau=ptau, progress=progress, circuits=circuits)
        from ..domain.operator_key import OperatorKey
        from ..domain.oracle_key import OracleKey

        oracle = OracleKey.generate()
        write_secret(d / ORACLE_KEY_FILE, oracle.to_json())
        operator = OperatorKey.generate()
        write_secret(d / OPERATOR_KEY_FILE, operator.to_json())
        perp = instruments.perpetual("BTC", tick=1)
        meta = {
            "kind": "zkats-venue",
            "version": 1,
            "development_keys": True,
            "instruments": {"BTC-PERP": str(perp.id)},
            "specs": {"BTC-PERP": perp.to_json()},
            "epochs": {},
            "clock_offset": 0,
            "oracle_key": [str(c) for c in oracle.pub],
            "operator_key": [str(c) for c in operator.pub],
            "venue_id": secrets.token_hex(16),
            "size": units.SIZE,
        }
        write_public(d / "venue.json", meta)
        v = cls(d, progress)
        v.service()  # creates the ledger, recording the oracle's and operator's keys
        v.publish_epoch({"BTC-PERP": mark})
        v.key_timings = timings
        return v

    def save_meta(self):
        write_public(self.dir / "venue.json", self.meta)

    def missing_keys(self):
        """The venue statements this directory has no proving or verifying key for."""
        keys = self.dir / "keys"
        return [
            n
            for n in venue_circuits()
            if not ((keys / f"{n}.zkey").exists() and (keys / f"{n}.vkey.json").exists())
        ]

    def add_keys(self, ptau=None):
        """Make the development keys of the statements the venue has none for
        (added since it was made); returns {name: seconds}.  A running
        ``zkats serve`` loads them when restarted."""
        return dev_keys(
            self.dir / "keys", ptau=ptau, progress=self.progress, circuits=self.missing_keys()
        )

    @property
    def venue_id(self):
        """This venue's id (``venue.json``; None for a directory made before ids)."""
        return self.meta.get("venue_id")

    def use(self, wallet, bind=False):
        """Refuse a wallet (or capability / viewing-key file) of another
        venue; ``bind``: record this venue in a wallet that names none (its
        first deposit)."""
        vid = self.venue_id
        if vid is None:
            return wallet
        if wallet.venue is None:
            if bind:
                wallet.venue = vid
        elif wallet.venue != vid:
            raise InputError(
                f"{wallet.path}: belongs to venue {wallet.venue}, not to this venue ({vid})"
            )
        return wallet

    def now(self):
        return int(time.time()) + int(self.meta.get("clock_offset", 0))

    def advance_clock(self, seconds):
        self.meta["clock_offset"] = int(self.meta.get("clock_offset", 0)) + int(seconds)
        self.save_meta()

    def service(self):
        """The settlement service over ``ledger.db``; the ledger records the
        oracle key named in venue.json (and refuses another one)."""
        if self._svc is None:
            from .settlement import Groth16Verifier, SettlementService

            self._svc = SettlementService(
                self.dir / "ledger.db",
                verifier=Groth16Verifier.from_dir(self.dir / "keys"),
                clock=self.now,
                oracle_key=self.meta.get("oracle_key"),
                operator_key=self.meta.get("operator_key"),
            )
        return self._svc

    def oracle_key(self):
        """The oracle's signing key (``oracle.key``, mode 0600)."""
        from ..domain.oracle_key import OracleKey

        path = self.dir / ORACLE_KEY_FILE
        return OracleKey.from_json(read_json(path), str(path))

    def operator_key(self):
        """The operator's signing key (``operator.key``, mode 0600)."""
        from ..domain.operator_key import OperatorKey

        path = self.dir / OPERATOR_KEY_FILE
        if not path.exists():
            raise InputError(
                f"{self.dir}: no {OPERATOR_KEY_FILE} (a venue made before operator keys)"
            )
        return OperatorKey.from_json(read_json(path), str(path))

    @property
    def ledger(self):
        return self.service().ledger

    # -- the venue's funds
    def funds(self):
        """The fee account and insurance fund: cash balances, the insurance
        fund's backstop positions and equity at the latest marks, and the
        operator's withdrawals."""
        from .rules import FEE_FUND, INSURANCE_FUND, fund_equity

        led, ep = self.ledger, self.epoch()
        out: dict[str, object] = {}
        for name in (FEE_FUND, INSURANCE_FUND):
            out[name] = {
                "balance": led.fund_balance(name),
                "equity": fund_equity(led, name, ep),
                "positions": [
                    {"instrument": self.symbol(i), "position": p, "cost": c}
                    for i, (p, c) in led.fund_positions(name).items()
                ],
            }
        out["withdrawals"] = [
            {"seq": q, "batch_id": b, "fund": f, "amount": a, "recipient": str(r)}
            for q, b, f, a, r, _ in led.fund_withdrawals()
        ]
        return out

    def fund_withdrawal(self, fund, amount, recipient):
        """A ``fund_withdraw`` item signed with the directory's operator key,
        numbered next in the ledger's sequence; refused before signing if it
        cannot apply (unknown fund, amount not positive or above the fund's
        balance, the insurance fund in deficit)."""
        from ..domain.operator_key import FUNDS
        from .batch import FundWithdrawal, Item
        from .rules import INSURANCE_FUND

        if fund not in FUNDS:
            raise InputError(f"unknown fund {fund!r} (one of {', '.join(sorted(FUNDS))})")
        if amount <= 0:
            raise InputError("fund withdrawal: the amount must be positive")
        led = self.ledger
        if led.fund_balance(INSURANCE_FUND) < 0:
            raise InputError("fund withdrawal: the insurance fund is in deficit")
        if amount > led.fund_balance(fund):
            raise InputError(
                f"fund withdrawal: {amount} exceeds the {fund} fund's balance "
                f"{led.fund_balance(fund)}"
            )
        seq = led.fund_withdrawal_count() + 1
        sig = self.operator_key().sign_fund_withdrawal(fund, amount, recipient, seq)
        return Item("fund_withdraw", {}, operator=FundWithdrawal(fund, amount, recipient, seq, sig))

    def close(self):
        if self._svc is not None:
            self._svc.close()
            self._svc = None

    def instrument(self, symbol):
        ids = self.meta["instruments"]
        if symbol not in ids:
            raise InputError(f"unknown instrument {symbol!r} (known: {', '.join(sorted(ids))})")
        return int(ids[symbol])

    def listed(self):
        """{symbol: Instrument} of every listed instrument (a directory made
        before specs were kept lists perpetuals only)."""
        from ..domain import instruments

        specs = self.meta.get("specs", {})
        out = {}
        for sym in self.meta["instruments"]:
            if sym in specs:
                out[sym] = instruments.Instrument.from_json(specs[sym], f"instrument {sym}")
            else:
                out[sym] = instruments.perpetual(sym.split("-")[0])
        return out

    def add_instrument(self, symbol, instrument):
        """List ``instrument`` under ``symbol`` (public; in ``venue.json``).
        Each oracle epoch carries at most ``units.EPOCH_SIZE`` entries, and an
        expired instrument keeps its settlement entry in every later epoch, so
        at most that many instruments are listed."""
        from ..domain import instruments, units

        if not isinstance(symbol, str) or not symbol or len(symbol) > 31:
            raise InputError("instrument symbol: 1..31 characters")
        if not all(c.isalnum() or c in "-_." for c in symbol) or not symbol.isascii():
            raise InputError(f"instrument symbol {symbol!r}: letters, digits, '-', '_', '.' only")
        if symbol in self.meta["instruments"]:
            raise InputError(f"instrument {symbol}: already listed")
        if not isinstance(instrument, instruments.Instrument):
            raise InputError("instrument: expected an Instrument")
        if str(instrument.id) in self.meta["instruments"].values():
            raise InputError(
                f"instrument {symbol}: the same spec is listed as {self.symbol(instrument.id)}"
            )
        if instrument.expired(self.now()):
            raise InputError(f"instrument {symbol}: its expiry {instrument.expiry} has passed")
        if len(self.meta["instruments"]) >= units.EPOCH_SIZE:
            raise InputError(
                f"instrument {symbol}: the venue lists {units.EPOCH_SIZE} instruments, "
                "as many as an oracle epoch carries"
            )
        specs = self.meta.setdefault("specs", {})
        for sym, inst in self.listed().items():  # keep older directories' specs too
            specs.setdefault(sym, inst.to_json())
        self.meta["instruments"][symbol] = str(instrument.id)
        specs[symbol] = instrument.to_json()
        self.save_meta()
        return instrument

    def symbol(self, instrument):
        for s, i in self.meta["instruments"].items():
            if int(i) == int(instrument):
                return s
        return str(instrument)

    # -- oracle
    def epoch(self, epoch_id=None):
        from ..domain.oracle import Epoch, EpochEntry

        eps = self.meta["epochs"]
        if not eps:
            raise InputError("no oracle epoch published")
        eid = max(map(int, eps)) if epoch_id is None else int(epoch_id)
        if str(eid) not in eps:
            raise InputError(f"oracle epoch {eid} is unknown")
        return Epoch(eid, tuple(EpochEntry.from_list(e) for e in eps[str(eid)]["entries"]))

    def publish_epoch(self, marks, deadline_in=3600, index=None, underlying=None, surfaces=None):
        """Publish the next oracle epoch, signed with the directory's oracle key.

        ``marks`` ({symbol: price}): the listed instruments' marks (an
        option's is its premium; its Greeks come from the Black-76 implied
        volatility of that premium, :mod:`zkats.pricing`).  ``index``
        ({symbol: index price}) accrues each perpetual's funding since the
        previous epoch by the venue's policy
        (:func:`zkats.domain.oracle.next_funding`); a perpetual without an
        index price keeps its funding index.  ``underlying`` ({asset: price}):
        the underlying's price, needed for options, and the **settlement
        price** of every dated instrument on that asset that has expired and
        is not settled yet.  An expired instrument is published as its
        settlement entry (``EpochEntry.settled``) in this and every later
        epoch; it has no mark.  ``surfaces`` ({asset: VolSurface}): every
        live option on that asset without a mark in ``marks`` is marked at its
        Black-76 price (forward = the underlying's price, the surface's vol at
        its strike and expiry; rounded to the tick, at least one tick)."""
        from ..domain.oracle import Epoch, EpochEntry, asset_id, next_funding
        from ..domain.oracle_key import signature_to_json

        eps = self.meta["epochs"]
        index, underlying = dict(index or {}), dict(underlying or {})
        marks = dict(marks)
        for sym, premium in self._surface_marks(marks, underlying, surfaces or {}).items():
            marks[sym] = premium
        unknown = sorted(set(index) - set(marks))
        if unknown:
            raise InputError(f"--index {unknown[0]}: no mark published for it")
        listed, now = self.listed(), self.now()
        for sym in marks:
            self.instrument(sym)  # listed
            if listed[sym].expired(now):
                raise InputError(
                    f"--mark {sym}: expired at {listed[sym].expiry}; it settles, it has no mark"
                )
        for sym in index:
            if listed[sym].kind != 0:
                raise InputError(f"--index {sym}: only perpetuals have funding")
        for asset, price in underlying.items():
            if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
                raise InputError(f"--underlying {asset}: the price must be a positive integer")
        prev = self.epoch() if eps else None
        prev_at = int(eps[max(eps, key=int)].get("published_at", now)) if eps else None
        settlements = dict(self.meta.get("settlements", {}))
        entries = []
        for sym, inst in listed.items():  # expired: settled now or before
            if not inst.expired(now):
                continue
            if sym not in settlements:
                if inst.underlying not in underlying:
                    raise InputError(
                        f"{sym} expired at {inst.expiry}: publish the settlement price of "
                        f"{inst.underlying} with --underlying {inst.underlying}=PRICE"
                    )
                settlements[sym] = underlying[inst.underlying]
            entries.append(
                EpochEntry.settled(inst.id, inst.payoff, int(settlements[sym]), inst.strike)
            )
        for sym, mark in marks.items():
            inst, mark = listed[sym], int(mark)
            if inst.kind == 2:  # option
                entries.append(self._option_entry(sym, inst, mark, underlying, now))
                continue
            funding = 0
            if prev is not None and inst.kind == 0:
                try:
                    funding = prev.entry(inst.id).funding
                except InputError:
                    funding = 0
            if sym in index:
                elapsed = max(0, now - prev_at) if prev_at is not None else 0
                funding = next_funding(funding, mark, int(index[sym]), elapsed)
            (entry,) = default_epoch_entries(inst.id, mark, funding, asset_id(inst.underlying))
            entries.append(replace(entry, payoff=inst.payoff))
        eid = (max(map(int, eps)) + 1) if eps else 1
        ep = Epoch(eid, tuple(entries))
        deadline = now + int(deadline_in)
        sig = self.oracle_key().sign_epoch(eid, ep.hash(), deadline)
        self.service().publish_epoch(eid, ep.hash(), deadline, sig)
        eps[str(eid)] = {
            "entries": [e.to_list() for e in ep.entries if e.instrument],
            "published_at": now,
            "hash": str(ep.hash()),
            "deadline": deadline,
            "signature": signature_to_json(sig),
            "marks": {k: int(v) for k, v in marks.items()},
        }
        if settlements:
            self.meta["settlements"] = settlements
        self.save_meta()
        return ep

    def _surface_marks(self, marks, underlying, surfaces):
        """{symbol: premium} of the live options priced from ``surfaces``."""
        from ..pricing.black76 import black76

        out = {}
        unknown = sorted(set(surfaces) - {i.underlying for i in self.listed().values()})
        if unknown:
            raise InputError(f"--vol {unknown[0]}: no listed instrument has that underlying")
        now = self.now()
        for sym, inst in self.listed().items():
            surf = surfaces.get(inst.underlying)
            if inst.kind != 2 or surf is None or sym in marks or inst.expired(now):
                continue
            S, years = _price_and_years(inst, underlying, now, f"--vol {inst.underlying}")
            vol = float(surf.vol(inst.strike, inst.expiry, now))
            price = float(black76(S, inst.strike, years, vol, inst.payoff != 3).price)
            out[sym] = max(inst.tick, int(round(price / inst.tick)) * inst.tick)
        return out

    @staticmethod
    def _option_entry(sym, inst, premium, underlying, now):
        """An option's live entry: ``premium`` is its mark; the underlying's
        price is ``underlying[asset]``; delta and percent gamma are Black-76's
        at the premium's implied volatility; the linear model's rates are a
        future's (IM 10%, MM 5%), which it applies to the underlying notional
        (:mod:`zkats.domain.margin`: an option as if its delta were 1); its
        risk array is Black-76's full revaluation on the venue's scenario
        grid at that volatility."""
        import math

        from ..domain import units
        from ..domain.oracle import EpochEntry, asset_id
        from ..domain.scenario_grid import GRID
        from ..pricing import ScenarioGrid, option_risk
        from ..pricing.black76 import black76, implied_vol

        S, years = _price_and_years(inst, underlying, now, f"--mark {sym}")
        call = inst.payoff != 3
        try:
            vol = float(implied_vol(premium, S, inst.strike, years, call))
        except InputError as err:
            raise InputError(f"--mark {sym}: {err}") from None
        g = black76(S, inst.strike, years, vol, call)
        delta = round(float(g.delta) * units.GREEK_SCALE)
        gamma = round(float(g.gamma) * S * units.GREEK_SCALE)
        if not (math.isfinite(vol) and abs(gamma) < 1 << (units.GAMMA_BITS - 1)):
            raise InputError(f"--mark {sym}: Greeks out of range")
        risk = option_risk(S, inst.strike, years, vol, call, premium, ScenarioGrid.from_bps(GRID))
        return EpochEntry(
            inst.id,
            premium,
            S,
            delta,
            gamma,
            1000,
            500,
            0,
            inst.payoff,
            inst.strike,
            asset=asset_id(inst.underlying),
            risk=risk,
        )

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
        path = self.dir / "keys" / f"{name}.zkey"
        if self.remote is None and not path.exists():
            raise InputError(
                f"{self.dir}: no proving key for the {name} statement (a venue made before "
                f"it existed): `zkats venue keys -V {self.dir}` makes it"
            )
        _say(self.progress, f"prove {name}")
        cc = compile_circuit(load_circuit(name))
        w = cc.solve(mod.inputs(pub, prv))
        if self.remote is not None:  # verified by the pool before it returns
            proof, public = self.remote(path, w.limbs())
        else:
            if name not in self._zkeys:
                self._zkeys[name] = read_zkey(path)
            proof, public = prove(self._zkeys[name], w.limbs(), check=False)
        if [int(x) for x in public] != [int(x) for x in pub.proof_values()]:
            raise InputError(f"{name}: the proof's public signals differ from the statement")
        # the bundle carries the statement's record: its public signals, then
        # what travels beside the proof (the new note's ciphertext)
        return ProofBundle(name, tuple(int(x) for x in pub.values()), proof)

    # -- trader actions: each returns a batch Item (public) and updates wallets
    def act(self, kind, wallet, **args):
        """Prove the statement of ``kind`` about the wallet's account: the
        generic action (``zkats venue prove KIND``) of any kind whose rule
        carries one proof and whose circuit module's ``build`` takes the
        account's ``spend_`` and optionally ``root`` and ``epoch`` (filled in
        here) plus the integer ``args``.  Signed by the key the statement's
        ``AUTHORITY`` names (the owner's, or the liquidation capability).
        So a statement added with its circuit file and rule is provable,
        settled and listed without code here."""
        import importlib
        import inspect

        from zkats.circuits._spend import authorise

        from .batch import Item
        from .rules import RULES

        rule = RULES.get(kind)
        if rule is None:
            raise InputError(
                f"statement kind {kind!r}: unknown (known: {', '.join(sorted(RULES))})"
            )
        if len(rule.roles) != 1:
            raise InputError(f"{kind}: carries {len(rule.roles)} proofs; use its own command")
        if rule.command is not None:
            raise InputError(f"{kind}: not about the account's note; use {rule.command}")
        ((role, stmt),) = rule.roles.items()
        mod = importlib.import_module(stmt.__module__)
        self.use(wallet)
        led = self.ledger
        context = {
            "spend_": lambda: wallet.spend(led),
            "root": led.current_root,
            "epoch": self.epoch,
        }
        params = inspect.signature(mod.build).parameters
        takes = [n for n in params if n not in context and n not in ("signer", "new_salt")]
        extra = sorted(set(args) - set(takes))
        if extra:
            raise InputError(
                f"{kind}: no argument {extra[0]!r} (takes: {', '.join(takes) or 'none'})"
            )
        for name in takes:
            if name not in args and params[name].default is inspect.Parameter.empty:
                raise InputError(f"{kind}: needs the argument {name}=VALUE")
        kw = {n: context[n]() for n in params if n in context}
        pub, prv = mod.build(**kw, **args)
        if stmt.AUTHORITY is not None:
            key = (
                wallet.liquidation_key()
                if stmt.AUTHORITY == "lk"
                else wallet.owner_key(f"a {kind} statement")
            )
            prv = authorise(pub, prv, key)
        item = Item(kind, {role: self.prove(stmt.circuit_name, mod, pub, prv)})
        new_note = getattr(prv, "new_note", None)
        if new_note is not None:
            wallet.set_pending(new_note)
        return item

    def deposit(self, wallet, amount, model=None):
        """Prove a deposit; ``model`` (0 linear, 1 scenario) chooses a NEW
        account's margin model, which its notes keep for good."""
        from zkats.circuits import deposit as dep
        from zkats.circuits._spend import Spend, authorise

        from ..domain.notes import Note
        from .batch import Item

        if amount <= 0:
            raise InputError("deposit amount: must be positive")
        key = wallet.owner_key("a deposit")
        self.use(wallet, bind=True)
        led = self.ledger
        wallet.sync(led)
        if wallet.note is None:
            empty = Note.open(wallet.view, collateral=0, model=model or 0)
            spend, fresh = Spend.fresh(empty, wallet.view), True
        else:
            if model is not None and model != wallet.note.model:
                raise InputError(
                    "deposit --model: the account's margin model is fixed at its first deposit"
                )
            spend, fresh = wallet.spend(led), False
        pub, prv = dep.build(spend, led.current_root(), int(amount), fresh=fresh)
        prv = authorise(pub, prv, key)
        item = Item("deposit", {"deposit": self.prove("deposit", dep, pub, prv)})
        wallet.set_pending(prv.new_note)
        return item

    def withdraw(self, wallet, amount, recipient):
        from zkats.circuits import withdraw as wd
        from zkats.circuits._spend import authorise

        from .batch import Item

        key = wallet.owner_key("a withdrawal")
        self.use(wallet)
        led = self.ledger
        spend = wallet.spend(led)
        preflight.withdraw(self, spend.note, amount)
        pub, prv = wd.build(spend, led.current_root(), int(amount), int(recipient), self.epoch())
        prv = authorise(pub, prv, key)
        item = Item("withdraw", {"withdraw": self.prove("withdraw", wd, pub, prv)})
        wallet.set_pending(prv.new_note)
        return item

    def exit(self, wallet, recipient):
        """Prove the account's exit at the latest epoch: its whole equity
        at the marks to ``recipient``, every position to the venue's
        backstop at the mark, an empty change note (the statement of the
        escrow's exit game, which the trader may send on chain alone)."""
        from zkats.circuits import exit as ex
        from zkats.circuits._spend import authorise

        from .batch import Item

        key = wallet.owner_key("an exit")
        self.use(wallet)
        led = self.ledger
        spend = wallet.spend(led)
        preflight.exit_(self, spend.note)
        pub, prv = ex.build(spend, led.current_root(), int(recipient), self.epoch())
        prv = authorise(pub, prv, key)
        item = Item("exit", {"exit": self.prove("exit", ex, pub, prv)})
        wallet.set_pending(prv.new_note)
        return item

    def health(self, wallet):
        from zkats.circuits import health as hl

        from .batch import Item

        self.use(wallet)
        preflight.health(self)
        led = self.ledger
        spend = wallet.spend(led)
        pub, prv = hl.build(spend, led.current_root(), self.epoch())
        return Item("health", {"health": self.prove("health", hl, pub, prv)})

    def liquidate(self, holder, epoch_id=None):
        """The risk engine's liquidation of an account (closes every position),
        from ``holder``: a Wallet file holding the account's liquidation
        capability (the owner's wallet works too)."""
        from zkats.circuits import liquidate as lq
        from zkats.circuits._spend import authorise

        from .batch import Item

        cap = holder.liquidation_key()
        self.use(holder)
        led = self.ledger
        spend = holder.spend(led)
        epoch = self.epoch(epoch_id)
        preflight.liquidation(self, holder.account, spend.note, epoch)
        pub, prv = lq.build(spend, led.current_root(), epoch)
        prv = authorise(pub, prv, cap)
        wallet = holder
        item = Item("liquidate", {"liquidate": self.prove("liquidate", lq, pub, prv)})
        wallet.set_pending(prv.new_note)
        return item

    def new_order(self, wallet, symbol, side, size, limit, expiry_in=3600, nonce=None):
        import secrets

        from ..domain import orders

        self.use(wallet)
        side = {"buy": orders.BUY, "sell": orders.SELL}.get(str(side).lower())
        if side is None:
            raise InputError("order side: buy or sell")
        inst = self.listed().get(symbol)
        if inst is not None and inst.expired(self.now()):
            raise InputError(f"{symbol}: the instrument has expired; it can no longer be traded")
        o = orders.Order(
            self.instrument(symbol),
            side,
            int(size),
            int(limit),
            self.now() + int(expiry_in),
            wallet.account,
            secrets.randbits(63) if nonce is None else int(nonce),
        )
        return orders.sign_order(wallet.owner_key("an order"), o)

    def order_item(self, so):
        """Prove a signed order (the ``order`` circuit): the batch item that
        opens it on the ledger, so a later match may consume it."""
        from zkats.circuits import order as oc

        from .batch import Item

        pub, prv = oc.build(so, self.now())
        return Item("order", {"order": self.prove("order", oc, pub, prv)})

    def cancel_order(self, wallet, so, unopened=False):
        """The owner's cancel of its order ``so`` (an order file's opening, or
        a remainder's): the ``cancel`` item, signed with the wallet's spending
        key.  Refused before proving if the order is another account's, or
        already matched or cancelled, or not open (unless ``unopened``:
        :func:`preflight.cancel`)."""
        from zkats.circuits import cancel as cn

        from .batch import Item

        key = wallet.owner_key("cancelling an order")
        self.use(wallet)
        if so.order.account != wallet.account:
            raise InputError("cancel: the order is another account's, not this wallet's")
        preflight.cancel(self, so, unopened)
        pub, prv = cn.build(so, key)
        return Item("cancel", {"cancel": self.prove("cancel", cn, pub, prv)})

    def _new_match(self, so_a, so_b, fill, price):
        """The match of two signed orders, buyer first (``fill`` defaults to
        the smaller size, ``price`` to the seller's limit), checked now;
        returns ``(match, now)``."""
        from ..domain import orders

        if so_a.order.side != orders.BUY:
            so_a, so_b = so_b, so_a
        fill = min(so_a.order.size, so_b.order.size) if fill is None else int(fill)
        price = so_b.order.limit if price is None else int(price)
        now = self.now()
        m = orders.make_match(so_a, so_b, fill, price)
        orders.check_match(m, now)
        preflight.orders_not_consumed(self, (so_a, so_b))
        self._check_tradeable(so_a.order.instrument)
        return m, now

    def _check_tradeable(self, instrument):
        """Refuse, before proving, a trade the transitions would refuse: an
        instrument without an entry in the latest epoch, or one that has
        expired (it settles; it no longer trades)."""
        sym = self.symbol(instrument)
        inst = self.listed().get(sym)
        e = self.epoch().entry(instrument)  # InputError: no mark at the latest epoch
        if e.expired or (inst is not None and inst.expired(self.now())):
            raise InputError(f"{sym}: the instrument has expired; it can no longer be traded")

    def opening_items(self, sos):
        """``order`` items for the orders of ``sos`` the ledger has not opened
        yet (an open order, e.g. a remainder, needs none)."""
        from ..domain import orders

        opened = preflight.orders_not_consumed(self, sos)
        out = []
        for so in sos:
            if so.commitment in opened:
                continue
            try:
                orders.check_signed_order(so, self.now())
            except InputError as err:
                raise InputError(
                    f"order {str(so.commitment[0])[:12]}... is not open on the ledger and "
                    f"cannot be opened ({err}; a remainder opens when its trade settles)"
                ) from None
            out.append(self.order_item(so))
        return out

    def _match_proofs(self, m, now):
        """The match proof (a ProofBundle) and the netting proof of ``m``."""
        from zkats.circuits import match as mt

        from ..domain import orders
        from .batch import NettingProof

        mpub, mprv = mt.build(m, now)
        bundle = self.prove("match", mt, mpub, mprv)
        n = orders.netting_proof(m)
        return bundle, NettingProof(R=n.R, s=n.s)

    def match(self, so_a, so_b, wallet_a, wallet_b, fill=None, price=None):
        """Prove the match of two signed orders and both transitions; returns a trade Item."""
        from zkats.circuits import transition as tr
        from zkats.circuits._spend import authorise

        from .batch import Item

        self.use(wallet_a)
        self.use(wallet_b)
        if so_a.order.account != wallet_a.account or so_b.order.account != wallet_b.account:
            raise InputError("match: an order does not belong to the wallet given for it")
        m, now = self._new_match(so_a, so_b, fill, price)
        if m.a is not so_a:  # the buyer goes first
            wallet_a, wallet_b = wallet_b, wallet_a
        led = self.ledger
        spends = (wallet_a.spend(led), wallet_b.spend(led))
        root, ep = led.current_root(), self.epoch()
        built = [tr.build(s, root, leg, ep) for s, leg in zip(spends, m.legs())]
        built = [
            (p, authorise(p, q, w.owner_key("a trade")))
            for (p, q), w in zip(built, (wallet_a, wallet_b))
        ]
        for p, q in built:
            tr.check(p, q)  # fail before any proving (e.g. insufficient margin)
        match_bundle, netting = self._match_proofs(m, now)
        proofs = {"match": match_bundle}
        for role, (p, q) in zip(("leg_a", "leg_b"), built):
            proofs[role] = self.prove("transition", tr, p, q)
        item = Item("trade", proofs, netting=netting)
        wallet_a.set_pending(built[0][1].new_note)
        wallet_b.set_pending(built[1][1].new_note)
        return item, m

    # -- a trade proved party by party (zkats/venue/trade_files.py)
    def match_orders(
        self, so_a, so_b, fill=None, price=None, prove_orders=False, before_proving=None
    ):
        """The operator's part of a trade, from the two signed orders it was
        sent (no wallet): the match proof and the netting proof (public,
        ``partial``) and one confirmation per side (secret: that side's leg
        opening and the remainder of its order).  Refused before proving if
        an order was matched or cancelled already; ``before_proving(m)``
        may refuse more.  ``prove_orders``: also prove the orders the ledger
        has not opened.  Returns ``(partial_json, {side: confirmation_json}, m)``."""
        from .trade_files import confirmation_to_json, partial_to_json

        m, now = self._new_match(so_a, so_b, fill, price)
        if before_proving is not None:
            before_proving(m)
        opening = self.opening_items((m.a, m.b)) if prove_orders else []
        bundle, netting = self._match_proofs(m, now)
        legs = [leg.commitment() for leg in m.legs()]
        confs = {
            side: confirmation_to_json(
                self.venue_id,
                side,
                leg,
                m.fill,
                m.price,
                legs,
                remainder=rem,
                orders=(m.a.commitment, m.b.commitment),
                matched_at=now,
            )
            for side, leg, rem in zip("ab", m.legs(), m.remainders())
        }
        return partial_to_json(bundle, netting, opening), confs, m

    def confirm_trade(self, wallet, conf_json, path="confirmation", remainder_to=None):
        """A trader's part: its own transition for the leg of its
        confirmation, with its own wallet; refused before proving if the
        confirmation is another venue's or account's, or the note cannot
        take the leg (margin), or the trade cannot settle any more (an order
        matched or cancelled since, the match too old).  When the fill leaves
        lots of the trader's order, their opening is written to the NEW
        secret file ``remainder_to`` (required then) after proving.  Returns
        the leg proof's JSON."""
        from zkats.circuits import transition as tr

        from .trade_files import (
            confirmation_from_json,
            confirmation_remainder,
            confirmation_trade,
            leg_proof_to_json,
        )

        venue, side, leg, _, _, _ = confirmation_from_json(conf_json, path)
        if venue is not None and self.venue_id is not None and venue != self.venue_id:
            raise InputError(f"{path}: a confirmation of venue {venue}, not of this venue")
        self.use(wallet)
        if leg.account != wallet.account:
            raise InputError(f"{path}: the leg is another account's, not this wallet's")
        order_points, matched_at = confirmation_trade(conf_json, path)
        preflight.trade_confirmation(self, order_points, matched_at, path)
        rest = confirmation_remainder(conf_json, path, leg)
        if rest is not None and remainder_to is None:
            raise InputError(
                f"{path}: the fill leaves {rest.order.size} lots of the order: "
                "name --remainder FILE to keep them"
            )
        if rest is not None and Path(remainder_to).exists():
            raise InputError(f"{remainder_to}: already exists")
        pub, prv = self.leg_transition(wallet, leg)
        bundle = self.prove("transition", tr, pub, prv)
        if rest is not None:
            write_secret(remainder_to, order_to_json(rest))
        wallet.set_pending(prv.new_note)
        return leg_proof_to_json(side, bundle)

    def accept_quote(self, q, taker):
        """The taker's part of an RFQ trade, with its own wallet only: sign
        the taker's order at the quoted price, prove both orders' openings
        and the match (the taker holds both openings: its own and the
        quote's) and its own leg.  The maker proves its leg from its
        confirmation with its own wallet (:meth:`confirm_trade`), and
        :meth:`assemble_trade` makes the batch.  Refused before proving if
        the quote does not answer its request or expired, the maker's order
        was matched or cancelled, or the taker's note cannot take the leg.
        Returns ``(partial_json, taker_leg_json, maker_confirmation_json,
        taker_order)``."""
        import secrets

        from ..domain import orders

        key = taker.owner_key("accepting a quote")
        self.use(taker)
        if q.maker_order.order.account == taker.account:
            raise InputError("rfq accept: the quote is the taker's own")
        mine = orders.accept(q, key, secrets.randbits(63), self.now()).a

        def taker_leg(m):
            return m.legs()[0 if m.a is mine else 1]

        partial, confs, m = self.match_orders(
            mine,
            q.maker_order,
            q.request.size,
            q.price,
            prove_orders=True,
            before_proving=lambda m: self.leg_transition(taker, taker_leg(m)),
        )
        t, mk = ("a", "b") if m.a is mine else ("b", "a")
        leg = self.confirm_trade(taker, confs[t], "the taker's confirmation")
        return partial, leg, confs[mk], mine

    def leg_transition(self, wallet, leg):
        """The wallet's transition applying ``leg`` at the latest epoch,
        signed and checked natively (refused here, before any proving, if
        the note cannot take the leg)."""
        from zkats.circuits import transition as tr
        from zkats.circuits._spend import authorise

        led = self.ledger
        pub, prv = tr.build(wallet.spend(led), led.current_root(), leg, self.epoch())
        prv = authorise(pub, prv, wallet.owner_key("a trade"))
        tr.check(pub, prv)  # before proving (e.g. insufficient margin)
        return pub, prv

    @staticmethod
    def assemble_trade(partial_json, leg_jsons, paths=("partial", "leg 1", "leg 2"), venue=None):
        """The batch items (the orders' openings if the operator proved
        them, then the trade) from the operator's partial trade and the two
        traders' leg proofs (in any order; each placed by its side and
        checked against the match's leg commitment).  Refused if the legs
        were proved at different oracle epochs; with ``venue`` (settling
        now) also if not at the latest epoch, or the match is too old
        (:func:`preflight.assembled_trade`)."""
        from zkats.circuits.match import Match
        from zkats.circuits.transition import Transition

        from .batch import Item
        from .trade_files import leg_proof_from_json, partial_from_json

        match_bundle, netting, opening = partial_from_json(partial_json, paths[0])
        m = Match.decode(match_bundle.public)
        proofs = {"match": match_bundle}
        for d, path in zip(leg_jsons, paths[1:]):
            side, bundle = leg_proof_from_json(d, path)
            role = "leg_" + side
            if role in proofs:
                raise InputError(f"{path}: a second proof for leg {side}")
            t = Transition.decode(bundle.public)
            if tuple(t.leg) != tuple(getattr(m, role)):
                raise InputError(f"{path}: the transition applies another trade's leg {side}")
            proofs[role] = bundle
        if set(proofs) != {"match", "leg_a", "leg_b"}:
            raise InputError("trade assemble: needs the proofs of both legs")
        epochs = {r: Transition.decode(proofs[r].public).epoch_id for r in ("leg_a", "leg_b")}
        if epochs["leg_a"] != epochs["leg_b"]:
            old = min(epochs, key=lambda r: epochs[r])
            raise InputError(
                f"trade assemble: leg a was proved at oracle epoch {epochs['leg_a']}, leg b at "
                f"{epochs['leg_b']}: side {old[-1]} must confirm again at the latest epoch"
            )
        if venue is not None:
            preflight.assembled_trade(venue, m.now, epochs["leg_a"])
        return opening + [Item("trade", proofs, netting=netting)]

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
    from ..domain.orders import Request

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
                eq += s.position * epoch.entry(s.instrument).value - s.cost
        out["equity"] = eq
    return out


def check_healthy(wallet, epoch):
    """True iff the live note meets maintenance margin at ``epoch`` (native)."""
    from ..domain import margin

    try:
        margin.check(wallet.note, epoch, maintenance=True)
        return True
    except InputError:
        return False


__all__ = ["Venue", "Wallet", "dev_keys", "CEREMONY_WARNING", "LedgerError"]
