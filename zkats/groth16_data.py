"""Groth16 keys and proofs as plain Python values, below both the file
formats that read and write them (:mod:`zkats.formats`) and the prover and
verifiers that make and check them (:mod:`zkats.groth16`, which re-exports
them as ``zkats.groth16.data_structures``).

Points use the plain-int conventions of :mod:`zkats.bn254`: G1 ``(x, y)``,
G2 ``((x_c0, x_c1), (y_c0, y_c1))``, ``None`` for infinity.  Bulk proving-key
material lives in :class:`zkats.formats.zkey.ZKey` as numpy arrays; these
classes are what verifiers and the JSON/Solidity exporters need.
"""


class Record:
    """A frozen record: keyword or positional construction, value equality
    and hashing, a readable repr (what ``@dataclass(frozen=True)`` gives).
    Written out because importing dataclasses and typing costs about 10 ms,
    and this module is on the command-line verify and prove paths.  Also
    the base of the format readers' small header records."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    #: field -> default value for fields that may be left out
    _defaults: dict[str, object] = {}

    def __init__(self, *args, **kwargs):
        name = type(self).__name__
        if len(args) > len(self._fields):
            raise TypeError(f"{name}() takes {len(self._fields)} arguments, got {len(args)}")
        values = dict(zip(self._fields, args))
        for k, v in kwargs.items():
            if k not in self._fields or k in values:
                raise TypeError(f"{name}() got an unexpected or repeated argument {k!r}")
            values[k] = v
        for k, v in self._defaults.items():
            values.setdefault(k, v)
        missing = [f for f in self._fields if f not in values]
        if missing:
            raise TypeError(f"{name}() missing arguments: {', '.join(missing)}")
        for field in self._fields:
            object.__setattr__(self, field, values[field])

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"cannot delete field {name!r}")

    def _astuple(self):
        return tuple(getattr(self, f) for f in self._fields)

    def replace(self, **changes):
        """A copy with ``changes`` applied (``dataclasses.replace``)."""
        return type(self)(**{f: changes.pop(f, getattr(self, f)) for f in self._fields}, **changes)

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._astuple() == other._astuple()
        return NotImplemented

    def __hash__(self):
        return hash(self._astuple())

    def __reduce__(self):
        return (type(self), self._astuple())

    def __repr__(self):
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__qualname__}({inner})"


class VerifyingKey(Record):
    """snarkjs' verification_key.json content for protocol groth16, curve bn128.

    ``ic`` has ``n_public + 1`` points: ``ic[0]`` is the constant term.
    ``alpha_beta`` (e(alpha, beta) in Fq12) is not stored: verifiers compute
    what they need.
    """

    __slots__ = _fields = ("alpha_1", "beta_2", "gamma_2", "delta_2", "ic")
    alpha_1: tuple
    beta_2: tuple
    gamma_2: tuple
    delta_2: tuple
    ic: tuple

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1


class Proof(Record):
    """A Groth16 proof (pi_a in G1, pi_b in G2, pi_c in G1)."""

    __slots__ = _fields = ("a", "b", "c")
    a: tuple
    b: tuple
    c: tuple
