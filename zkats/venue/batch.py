"""Settlement batches: the data model and its strict JSON encoding.

A batch is an ordered list of items.  Each item has a *kind* and one Groth16
proof per *role* the kind requires (the role names the circuit that made the
proof):

============  ==========================================  =====================
kind          roles (circuit)                             extra
============  ==========================================  =====================
deposit       deposit (deposit)
withdraw      withdraw (withdraw)
exit          exit (exit)                                 the owner's whole
                                                          equity out, positions
                                                          to the backstop
forced_exit   exit (exit)                                 an exit the escrow
                                                          completed (exit game)
trade         match (match), leg_a (transition),          ``netting``: Schnorr
              leg_b (transition)                          proof over the
                                                          legs' sum
health        health (health)
liquidate     liquidate (liquidate)
order         order (order)                               opens a signed order
                                                          commitment for matching
fund_withdraw (none)                                      ``operator``: a fund
                                                          withdrawal signed by
                                                          the operator key
============  ==========================================  =====================

JSON form (numbers are canonical decimal strings, as snarkjs writes them)::

    {"version": 1,
     "items": [
       {"kind": "trade",
        "proofs": {"match":  {"public": ["12", ...], "proof": {<snarkjs proof.json>}},
                   "leg_a":  {...}, "leg_b": {...}},
        "netting": {"R": ["x", "y"], "s": "123"}},
       {"kind": "fund_withdraw", "proofs": {},
        "operator": {"fund": "fee", "amount": "500", "recipient": "123", "seq": "1",
                     "signature": [["R8x", "R8y"], "S"]}},
       ...]}

Parsing is strict: duplicate or unknown keys, JSON numbers where strings are
expected, non-canonical decimals (sign, leading zeros, >= r), missing roles,
oversized lists and documents are refused with :class:`InputError` naming the
item index, kind and field.  Points are checked on the curve (and G2 in the
subgroup) by :mod:`zkats.formats.snarkjs_json`.

The kinds, their roles and each role's circuit are the rules' own
(:data:`zkats.venue.rules.RULES`); what the public signals mean is the
statement classes' (``Statement.decode``).
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from ..errors import FormatError, InputError
from ..field import R
from ..formats import jsonio

#: batch JSON format version
VERSION = 1


def roles(kind) -> dict[str, str]:
    """{role: circuit name} of the proofs an item of ``kind`` carries
    (:data:`zkats.venue.rules.RULES`)."""
    from .rules import RULES

    rule = RULES.get(kind)
    if rule is None:
        raise InputError(f"unknown item kind {kind!r}")
    return {role: cls.circuit_name for role, cls in rule.roles.items()}


def kinds():
    from .rules import RULES

    return sorted(RULES)


#: limits checked before anything is allocated from the input
MAX_ITEMS = 10_000
#: public signals of one proof (the largest statements: liquidate and exit at production size, 107)
MAX_PUBLIC = 256
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 16

_DEC = re.compile(r"(0|[1-9][0-9]{0,77})\Z")


@dataclass(frozen=True)
class ProofBundle:
    """One Groth16 proof with its public signals (canonical ints < r)."""

    circuit: str
    public: tuple[int, ...]
    proof: object  # zkats.groth16.data_structures.Proof


@dataclass(frozen=True)
class NettingProof:
    """Schnorr proof that the item's commitments sum to a commitment of zero.

    ``R`` is a Baby Jubjub point (coordinates in Fr), ``s`` a scalar (< r
    here; the netting adapter checks the tighter subgroup-order bound).
    """

    R: tuple[int, int]
    s: int


@dataclass(frozen=True)
class FundWithdrawal:
    """An operator-signed withdrawal from a venue fund
    (:mod:`zkats.domain.operator_key`): ``fund`` is ``fee`` or ``insurance``,
    ``seq`` the request's place in the ledger's fund-withdrawal sequence."""

    fund: str
    amount: int
    recipient: int
    seq: int
    signature: tuple  # ((R8x, R8y), S)


def _operator_signed(kind):
    from .rules import RULES

    return bool(getattr(RULES.get(kind), "operator_signed", False))


@dataclass(frozen=True)
class Item:
    kind: str
    proofs: dict[str, ProofBundle]
    netting: NettingProof | None = None
    operator: FundWithdrawal | None = None

    def __post_init__(self):
        need = roles(self.kind)
        if set(self.proofs) != set(need):
            raise InputError(
                f"{self.kind} item needs proofs {list(need)}, got {sorted(self.proofs)}"
            )
        for role, bundle in self.proofs.items():
            if not isinstance(bundle, ProofBundle) or bundle.circuit != need[role]:
                got = getattr(bundle, "circuit", type(bundle).__name__)
                raise InputError(
                    f"{self.kind} item: the {role} proof must be a {need[role]} proof, not {got}"
                )
        if (self.kind == "trade") != (self.netting is not None):
            raise InputError(
                f"{self.kind} item: a netting proof is "
                f"{'required' if self.kind == 'trade' else 'not allowed'}"
            )
        signed = _operator_signed(self.kind)
        if signed != isinstance(self.operator, FundWithdrawal):
            raise InputError(
                f"{self.kind} item: an operator-signed request is "
                f"{'required' if signed else 'not allowed'}"
            )


@dataclass(frozen=True)
class Batch:
    items: tuple[Item, ...] = field(default_factory=tuple)

    def __post_init__(self):
        object.__setattr__(self, "items", tuple(self.items))
        if len(self.items) > MAX_ITEMS:
            raise InputError(f"batch has {len(self.items)} items (at most {MAX_ITEMS})")

    def digest(self) -> str:
        """SHA-256 of the canonical JSON encoding (an identifier, not a replay guard)."""
        data = json.dumps(batch_to_json(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(data.encode()).hexdigest()


# --------------------------------------------------------------------------
# encoding
# --------------------------------------------------------------------------


def _proof_json(proof):
    from ..formats.snarkjs_json import proof_to_json

    return proof_to_json(proof)


def item_to_json(item: Item) -> dict:
    out = {
        "kind": item.kind,
        "proofs": {
            role: {"public": [str(int(v)) for v in b.public], "proof": _proof_json(b.proof)}
            for role, b in item.proofs.items()
        },
    }
    if item.netting is not None:
        out["netting"] = {
            "R": [str(item.netting.R[0]), str(item.netting.R[1])],
            "s": str(item.netting.s),
        }
    if item.operator is not None:
        op = item.operator
        (rx, ry), s = op.signature
        out["operator"] = {
            "fund": op.fund,
            "amount": str(op.amount),
            "recipient": str(op.recipient),
            "seq": str(op.seq),
            "signature": [[str(rx), str(ry)], str(s)],
        }
    return out


def batch_to_json(batch: Batch) -> dict:
    return {"version": VERSION, "items": [item_to_json(it) for it in batch.items]}


def dumps(batch: Batch) -> str:
    return json.dumps(batch_to_json(batch), separators=(",", ":"))


# --------------------------------------------------------------------------
# strict parsing
# --------------------------------------------------------------------------


def _keys(d, where, required, optional=()):
    if not isinstance(d, dict):
        raise InputError(f"{where}: expected a JSON object")
    missing = [k for k in required if k not in d]
    if missing:
        raise InputError(f"{where}: missing {missing[0]!r}")
    extra = sorted(set(d) - set(required) - set(optional))
    if extra:
        raise InputError(f"{where}: unknown key {extra[0]!r}")


def _dec(v, where, bound=R, what="field element"):
    if not isinstance(v, str) or not _DEC.match(v):
        raise InputError(f"{where}: expected a canonical decimal string")
    n = int(v)
    if n >= bound:
        raise InputError(f"{where}: {what} is not canonical (>= r)")
    return n


def _parse_bundle(d, where, circuit):
    from ..formats.snarkjs_json import proof_from_json

    _keys(d, where, ("public", "proof"))
    pub = d["public"]
    if not isinstance(pub, list):
        raise InputError(f"{where}.public: expected a list of decimal strings")
    if len(pub) > MAX_PUBLIC:
        raise InputError(f"{where}.public: {len(pub)} signals (at most {MAX_PUBLIC})")
    public = tuple(_dec(v, f"{where}.public[{i}]", what="public signal") for i, v in enumerate(pub))
    try:
        # pi_b's subgroup test is the verifier's (one bulk native check a batch)
        proof = proof_from_json(d["proof"], f"{where}.proof", subgroup=False)
    except FormatError as err:
        raise InputError(str(err)) from None
    return ProofBundle(circuit=circuit, public=public, proof=proof)


def item_from_json(d, index=0) -> Item:
    where = f"item {index}"
    if not isinstance(d, dict):
        raise InputError(f"{where}: expected a JSON object")
    kind = d.get("kind")
    if not isinstance(kind, str) or kind not in kinds():
        raise InputError(f"{where}: kind must be one of {kinds()}")
    where = f"item {index} ({kind})"
    signed = _operator_signed(kind)
    _keys(
        d,
        where,
        ("kind", "proofs")
        + (("netting",) if kind == "trade" else ())
        + (("operator",) if signed else ()),
    )
    need = roles(kind)
    _keys(d["proofs"], f"{where}.proofs", tuple(need))
    proofs = {
        role: _parse_bundle(d["proofs"][role], f"{where}.proofs.{role}", circuit)
        for role, circuit in need.items()
    }
    netting = None
    if kind == "trade":
        n = d["netting"]
        _keys(n, f"{where}.netting", ("R", "s"))
        if not isinstance(n["R"], list) or len(n["R"]) != 2:
            raise InputError(f"{where}.netting.R: expected a list of 2 decimal strings")
        netting = NettingProof(
            R=(_dec(n["R"][0], f"{where}.netting.R[0]"), _dec(n["R"][1], f"{where}.netting.R[1]")),
            s=_dec(n["s"], f"{where}.netting.s"),
        )
    operator = _parse_operator(d["operator"], f"{where}.operator") if signed else None
    return Item(kind=kind, proofs=proofs, netting=netting, operator=operator)


def _parse_operator(d, where):
    _keys(d, where, ("fund", "amount", "recipient", "seq", "signature"))
    if not isinstance(d["fund"], str):
        raise InputError(f"{where}.fund: expected a string")
    sig = d["signature"]
    if (
        not isinstance(sig, list)
        or len(sig) != 2
        or not isinstance(sig[0], list)
        or len(sig[0]) != 2
    ):
        raise InputError(f"{where}.signature: expected [[R8x, R8y], S]")
    return FundWithdrawal(
        fund=d["fund"],
        amount=_dec(d["amount"], f"{where}.amount"),
        recipient=_dec(d["recipient"], f"{where}.recipient"),
        seq=_dec(d["seq"], f"{where}.seq"),
        signature=(
            (_dec(sig[0][0], f"{where}.signature"), _dec(sig[0][1], f"{where}.signature")),
            _dec(sig[1], f"{where}.signature"),
        ),
    )


def batch_from_json(d) -> Batch:
    """Validate an already-decoded JSON value and return a :class:`Batch`."""
    _keys(d, "batch", ("version", "items"))
    if d["version"] != VERSION or isinstance(d["version"], bool):
        raise InputError(f"batch: unsupported version {d['version']!r} (expected {VERSION})")
    items = d["items"]
    if not isinstance(items, list):
        raise InputError("batch.items: expected a list")
    if len(items) > MAX_ITEMS:
        raise InputError(f"batch.items: {len(items)} items (at most {MAX_ITEMS})")
    return Batch(items=tuple(item_from_json(it, i) for i, it in enumerate(items)))


def loads(text, source="batch") -> Batch:
    """Parse batch JSON text (str or bytes) strictly; errors name ``source``."""
    d = jsonio.loads(text, source=source, max_depth=MAX_DEPTH, max_bytes=MAX_JSON_BYTES)
    try:
        return batch_from_json(d)
    except InputError as err:
        raise InputError(f"{source}: {err}") from None


def load(path) -> Batch:
    """Read and parse a batch file."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_JSON_BYTES + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from None
    return loads(data, str(path))


def dump(path, batch: Batch):
    with open(path, "w") as fh:
        fh.write(dumps(batch))
