"""A venue statement is declared once: its circuit class.

The ``Public()`` declarations of a :class:`Statement` subclass, in wire order
(base classes first), ARE the statement's public-signal layout.  Everything
else reads it from there:

* the native side builds its public record with ``Cls.public(name=value, ...)``
  (a :class:`Signals`: checked names, shapes and field ranges);
* the witness input dict is ``pub.inputs() | private inputs``;
* ``pub.values()`` is the snarkjs ``public.json`` order;
* the settlement service decodes a proof's public signals with
  ``Cls.decode(values)`` and reads them by the same names;
* the spend authorisation signs ``Cls.message(pub)``, a hash of the circuit's
  name and every public signal (in circuit: :meth:`Statement.message_gadget`).

So a name or an order can never disagree between the circuit, the native
check, the batch format and the ledger.

A statement may also CARRY a vector beside its proof (:data:`Statement.CARRIED`:
a new note's ``ciphertext``): a private input of the circuit, bound to the
proof by ONE public signal, its hash (``ciphertext_hash``, a Poseidon chain
under a domain tag, constrained in the circuit).  The statement's record (a
proof bundle's ``public``) is its public signals, then the carried values;
the Groth16 public inputs (``pub.proof_values()``, snarkjs' ``public.json``,
what the escrow verifies) are the public signals alone.  A verifier pays one
input for the hash instead of one per carried word; whoever reads the record
checks the words against the hash (:meth:`Statement.decode`).  A record may
leave its carried values out (``ciphertext`` is then None): the proof is as
valid, only the words are missing (a note the chain saw without them).

A statement whose public vectors take their size from a parameter (``insert``:
``leaves = Public(n="k")``) states its layout per instance:
``Insert(k=4).public(...)``, ``Insert(k=4).decode(values)``; the class refuses.
"""

import functools

from zkats.circuit import Circuit
from zkats.errors import InputError
from zkats.field import R, domain_tag
from zkats.gadgets.poseidon_hash import poseidon, poseidon_plain

#: inputs per Poseidon call in the message hash chain (circomlib's maximum is 16)
_CHAIN_WIDTH = 16


class Signals:
    """The public signals of one statement, by name (vectors as tuples)."""

    __slots__ = ("statement", "_values")

    def __init__(self, statement, values):
        object.__setattr__(self, "statement", statement)
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(
                f"{self.statement.circuit_name} has no public signal {name!r}"
            ) from None

    def __setattr__(self, name, value):
        raise AttributeError("public signals are read-only")

    def __eq__(self, other):
        return (
            isinstance(other, Signals)
            and _key(other.statement) == _key(self.statement)
            and other._values == self._values
        )

    def __hash__(self):
        return hash((self.statement.circuit_name, tuple(self.values())))

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"{self.statement.circuit_name}.public({inner})"

    def replace(self, **changes):
        """A copy with some signals changed (checked like :meth:`Statement.public`);
        a carried vector changed alone takes its new hash along."""
        values = {**self._values, **changes}
        for name, _ in self.statement.carried_fields():
            if name in changes and self.statement.CARRIED[name] not in changes:
                del values[self.statement.CARRIED[name]]
        return self.statement.public(**values)

    def get(self, name, default=None):
        return self._values.get(name, default)

    def names(self):
        return tuple(self._values)

    def as_dict(self):
        return dict(self._values)

    def values(self):
        """The statement's record, flat: the public signals in public.json
        order, then the carried values (left out when not carried)."""
        out = self.proof_values()
        out.extend(self.carried_values())
        return out

    def proof_values(self):
        """The Groth16 public inputs (snarkjs' ``public.json``): the public
        signals alone, in wire order."""
        return _flat(self._values[name] for name, _ in self.statement.public_fields())

    def carried_values(self):
        """The carried values, flat ([] when the record left them out)."""
        return _flat(
            self._values[name]
            for name, _ in self.statement.carried_fields()
            if self._values[name] is not None
        )

    def inputs(self):
        """The public part of the witness input dict (and the carried values,
        which are the circuit's private inputs of the same names)."""
        out = {}
        for k, v in self._values.items():
            if v is None:
                raise InputError(
                    f"{self.statement.circuit_name}: no {k} to prove with (the record left it out)"
                )
            out[k] = list(v) if isinstance(v, tuple) else v
        return out


def _flat(vectors):
    out: list[int] = []
    for v in vectors:
        out.extend(v if isinstance(v, tuple) else (v,))
    return out


def _key(statement):
    """What makes two statements the same: the class, and an instance's parameters."""
    if isinstance(statement, type):
        return (statement,)
    params = sorted((k, v) for k, v in vars(statement).items() if not k.startswith("_"))
    return (type(statement), tuple(params))


#: Statement class -> its public_fields() (declarations are fixed once a class exists)
_PUBLIC_FIELDS: dict[type, tuple] = {}
#: Statement class -> its carried_fields()
_CARRIED_FIELDS: dict[type, tuple] = {}


class layout_method:
    """A method of the statement's layout: called on the class, or on an
    instance when the layout depends on the instance's parameters."""

    def __init__(self, f):
        self.f = f
        self.__doc__ = f.__doc__

    def __get__(self, inst, owner=None):
        return functools.partial(self.f, owner if inst is None else inst)


def _element(v, where):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
        raise InputError(f"{where}: must be a field element (an int in [0, r))")
    return v


def hash_chain(values, hash_fn):
    """Poseidon chain of any number of field elements: the first call takes
    up to 16 values, each next one the previous digest and up to 15 more."""
    values = list(values)
    h, rest = hash_fn(values[:_CHAIN_WIDTH]), values[_CHAIN_WIDTH:]
    while rest:
        h = hash_fn([h] + rest[: _CHAIN_WIDTH - 1])
        rest = rest[_CHAIN_WIDTH - 1 :]
    return h


def carried_tag(name):
    """The domain tag of the hash of carried vector ``name``."""
    return domain_tag(f"carried/{name}")


def carried_hash(name, values):
    """The public hash binding carried vector ``name`` to a proof: Poseidon
    chain (:func:`hash_chain`) of its domain tag and its values (through the
    native core: the settlement service checks one per record it reads)."""
    from zkats.domain.fast_hash import poseidon_plain as native_poseidon

    return hash_chain([carried_tag(name)] + [int(v) for v in values], native_poseidon)


def carried_hash_gadget(api, name, signals):
    """:func:`carried_hash` in constraints (two Poseidon calls for 26 words)."""
    return hash_chain(
        [api.constant(carried_tag(name))] + list(signals), lambda xs: poseidon(api, xs)
    )


def witness_inputs(pub, prv):
    """A statement's witness input dict: its public signals and its private
    record's inputs (``prv.inputs()``).  Each circuit module exports it as
    ``inputs``."""
    return {**pub.inputs(), **prv.inputs()}


class Statement(Circuit):
    """Base class of the venue's circuits (see the module docstring)."""

    #: public signals the authorisation does not sign: a new note's
    #: ``ciphertext`` is a function of the signed ``commitment`` and the
    #: account's viewing secret (``NewNote`` constrains it), so signing it
    #: would bind nothing more and cost a longer message hash
    UNSIGNED = frozenset({"ciphertext", "ciphertext_hash"})

    #: carried private input -> the public signal that is its hash (see the
    #: module docstring): a statement declaring ``ciphertext`` as a Private
    #: carries it, bound by its public ``ciphertext_hash``
    CARRIED = {"ciphertext": "ciphertext_hash"}

    #: which key authorises the statement: None (nothing is spent), "ak" (the
    #: owner's), "lk" (the liquidation capability); see ``_spend.AuthorisedSpend``
    AUTHORITY: str | None = None

    #: the methods ``(self, api)`` every statement's ``define`` is followed
    #: by, in this order (``__init_subclass__`` wraps each subclass's own
    #: ``define``, so none can forget them); a base class that adds a check
    #: extends the tuple (``_spend.AuthorisedSpend``: the signature)
    AFTER_DEFINE: tuple[str, ...] = ("bind_carried",)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if "define" in vars(cls):
            statement_define = cls.define

            def define(self, api):
                statement_define(self, api)
                for check in self.AFTER_DEFINE:
                    getattr(self, check)(api)

            define.__doc__ = statement_define.__doc__
            cls.define = define  # type: ignore[method-assign]  # the wrapped define

    def bind_carried(self, api):
        """Every carried vector is bound by its public hash (after the
        subclass's ``define``, so no statement can forget it)."""
        for name, _ in self.carried_fields():
            with api.scope(name):
                h = carried_hash_gadget(api, name, getattr(self, name))
                api.assert_equal(h, getattr(self, self.CARRIED[name]))

    @layout_method
    def public_fields(cls):
        """``[(name, n)]`` of the public inputs in wire order (``n`` None for a
        scalar).  ``cls``: the class, or an instance (sizes from its parameters).
        A class's answer is computed once (the settlement service decodes every
        proof of every batch with it)."""
        if isinstance(cls, type) and cls in _PUBLIC_FIELDS:
            return list(_PUBLIC_FIELDS[cls])
        out = []
        for name, decl in cls.declarations():
            if decl.role != "public":
                continue
            n = decl.n
            if n is not None and not isinstance(n, int):
                if isinstance(cls, type):
                    raise InputError(
                        f"{cls.circuit_name}: the public layout depends on the parameters "
                        f"({name}: n={n!r}); ask an instance, e.g. {cls.__name__}(...).public()"
                    )
                (n,) = decl.shape(cls)
            out.append((name, n))
        if isinstance(cls, type):
            _PUBLIC_FIELDS[cls] = tuple(out)
        return out

    @layout_method
    def carried_fields(cls):
        """``[(name, n)]`` of the carried vectors (:data:`CARRIED`), in
        declaration order: the record's values after the public signals."""
        if isinstance(cls, type) and cls in _CARRIED_FIELDS:
            return list(_CARRIED_FIELDS[cls])
        out = []
        for name, decl in cls.declarations():
            if decl.role == "private" and name in cls.CARRIED:
                (n,) = decl.shape(cls)
                out.append((name, n))
        if isinstance(cls, type):
            _CARRIED_FIELDS[cls] = tuple(out)
        return out

    @layout_method
    def public_names(cls):
        return tuple(name for name, _ in cls.public_fields())

    @layout_method
    def n_public(cls):
        """The number of Groth16 public inputs (the public signals)."""
        return sum(1 if n is None else n for _, n in cls.public_fields())

    @layout_method
    def n_record(cls):
        """The length of the full record: public signals and carried values."""
        return cls.n_public() + sum(n for _, n in cls.carried_fields())

    @layout_method
    def public(cls, **values):
        """The statement's record: every public signal once, and each carried
        vector (its hash signal, when not given, is computed from it; when
        given, it must be the vector's hash; a carried vector given as None,
        or not given, is left out of the record and then its hash must be
        given)."""
        fields, carried = cls.public_fields(), cls.carried_fields()
        names = {name for name, _ in fields} | {name for name, _ in carried}
        extra = sorted(set(values) - names)
        if extra:
            raise InputError(f"{cls.circuit_name}: no public signal {extra[0]!r}")
        values = dict(values)
        kept: dict[str, tuple | None] = {}
        for name, n in carried:
            v, hname = values.get(name), cls.CARRIED[name]
            where = f"{cls.circuit_name} carried {name}"
            if v is None:
                kept[name] = None
                continue
            v = tuple(v)
            if len(v) != n:
                raise InputError(f"{where}: expected {n} values, got {len(v)}")
            kept[name] = tuple(_element(x, f"{where}[{i}]") for i, x in enumerate(v))
            h = carried_hash(name, kept[name])
            if values.get(hname, h) != h:
                raise InputError(
                    f"{cls.circuit_name}: public {hname} is not the hash of the {name} "
                    "carried beside the proof"
                )
            values[hname] = h
        out = {}
        for name, n in fields:
            if name not in values:
                raise InputError(f"{cls.circuit_name}: public signal {name!r} is missing")
            v = values[name]
            where = f"{cls.circuit_name} public {name}"
            if n is None:
                out[name] = _element(v, where)
            else:
                v = tuple(v)
                if len(v) != n:
                    raise InputError(f"{where}: expected {n} values, got {len(v)}")
                out[name] = tuple(_element(x, f"{where}[{i}]") for i, x in enumerate(v))
        out.update(kept)
        return Signals(cls, out)

    @layout_method
    def decode(cls, values):
        """A record (a proof bundle's flat ``public``: the public signals,
        then the carried values, which may be left out) as this statement's
        :class:`Signals`; carried values must match their public hash."""
        values = list(values)
        n_pub, n_rec = cls.n_public(), cls.n_record()
        if len(values) not in (n_pub, n_rec):
            carried = "".join(f", then {name}[{n}]" for name, n in cls.carried_fields())
            expected = f"{n_pub}" if n_pub == n_rec else f"{n_rec} (or {n_pub} without them)"
            raise InputError(
                f"{cls.circuit_name} proof has {len(values)} public signals, expected "
                f"{expected} ({', '.join(cls.public_names())}{carried})"
            )
        out, i = {}, 0
        for name, n in cls.public_fields() + cls.carried_fields():
            if i >= len(values):
                break
            if n is None:
                out[name], i = values[i], i + 1
            else:
                out[name], i = tuple(values[i : i + n]), i + n
        return cls.public(**out)

    # ------------------------------------------------ the authorised message
    @classmethod
    def message_tag(cls):
        return domain_tag(f"auth/{cls.circuit_name}")

    @classmethod
    def message(cls, pub):
        """What an authorisation signs: Poseidon chain of (tag of this circuit,
        every public signal in order but the :data:`UNSIGNED` ones).  It
        names the statement kind and all of its public data (nullifier, new
        note, amounts, recipient, legs, epoch), so a signature is good for
        this one statement only."""
        if pub.statement is not cls:
            raise InputError(
                f"{cls.circuit_name}: cannot sign a {pub.statement.circuit_name} statement"
            )
        signed = [
            x
            for name, n in cls.public_fields()
            if name not in cls.UNSIGNED
            for x in (pub.get(name) if n is not None else (pub.get(name),))
        ]
        return hash_chain([cls.message_tag()] + signed, poseidon_plain)

    def message_gadget(self, api):
        """:meth:`message` in constraints, over this instance's public signals."""
        flat: list = []
        for name, n in self.public_fields():
            if name in self.UNSIGNED:
                continue
            v = getattr(self, name)
            flat.extend(v if n is not None else [v])
        return hash_chain([self.message_tag()] + flat, lambda xs: poseidon(api, xs))
