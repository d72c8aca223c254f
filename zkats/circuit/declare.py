"""Circuit classes: declared signals, the ``define`` method, the registry.

A circuit is a subclass of :class:`Circuit` whose class body declares its
signals with :class:`Output`, :class:`Public` and :class:`Private` and
whose ``define(self, api)`` states the constraints.  Declarations take an
optional shape ``n``: an int, the name of an instance attribute (set in
``__init__``), or a tuple of those for multi-dimensional arrays.  Inside
``define`` a scalar declaration reads as one signal, an array as a (nested)
list of signals.

Wire order follows circom: the constant one, then outputs, public inputs,
private inputs (each role in declaration order, base classes first), then
internal wires.

A declaration group (:func:`group`) is a set of declarations several
circuits share, unpacked in the class body where they belong in the
wire order: ``commitment, new_salt = new_note()``.
"""

from ..errors import CircuitError


class SignalDecl:
    role: str | None = None

    def __init__(self, n=None):
        self.n = n
        self.name = None
        #: the group this declaration belongs to ((its names), this one's), see group()
        self.group = None

    def __set_name__(self, owner, name):
        if self.group is not None and self.group[1] != name:
            names, expected = self.group
            raise CircuitError(
                f"{owner.__name__}.{name}: the group declares {expected!r} here; "
                f"unpack it as {', '.join(names)}"
            )
        self.name = name

    def __get__(self, inst, owner=None):
        if inst is None:
            return self
        bound = inst.__dict__.get("_zk_bound")
        if bound is None:
            raise CircuitError(f"signal {self.name!r} exists only inside define()")
        return bound[self.name]

    def __set__(self, inst, value):
        raise CircuitError(
            f"declared signal {self.name!r} cannot be assigned "
            f"(outputs are set with api.set_output)"
        )

    def shape(self, inst):
        """The resolved shape tuple (() for a scalar)."""
        n = self.n
        if n is None:
            return ()
        dims = n if isinstance(n, tuple) else (n,)
        out = []
        for d in dims:
            if isinstance(d, str):
                if d not in inst.__dict__:
                    raise CircuitError(
                        f"signal {self.name!r}: size attribute {d!r} is not set "
                        f"on the instance (set it in __init__ before use)"
                    )
                d = inst.__dict__[d]
            if isinstance(d, bool) or not isinstance(d, int) or d < 0:
                raise CircuitError(f"signal {self.name!r}: size must be an int >= 0, got {d!r}")
            out.append(d)
        return tuple(out)

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.n!r})"
            if self.n is not None
            else f"{type(self).__name__}()"
        )


class Output(SignalDecl):
    """A public output (circom ``signal output``): computed by the circuit and
    fixed with ``api.set_output``."""

    role = "output"


class Public(SignalDecl):
    """A public input (part of the statement; listed in public.json)."""

    role = "public"


class Private(SignalDecl):
    """A private input (part of the witness only)."""

    role = "private"


_ROLE_ORDER = ("output", "public", "private")


def group(**decls):
    """A declaration group: the declarations ``decls`` (name -> Output, Public
    or Private) as a tuple to unpack in a circuit's class body, under the
    same names in the same order (checked when the class is made)::

        def new_note():
            return group(commitment=Public(), new_salt=Private())

        class Withdraw(Statement):
            commitment, new_salt = new_note()

    Each role keeps declaration order, so the group's signals take the
    places of the lines it replaces.  Call the factory once per class."""
    names = tuple(decls)
    for name, d in decls.items():
        if not isinstance(d, SignalDecl):
            raise CircuitError(f"group: {name!r} is not a signal declaration")
        d.group = (names, name)
    return tuple(decls.values())


class Circuit:
    """Base class of zkats circuits.  Subclasses declare signals and define
    ``define(self, api)``; ``__init__`` may take parameters (sizes, depths)
    stored as plain attributes (they key the compile cache)."""

    #: the name :func:`register` gives the class (unset on unregistered classes)
    circuit_name: str

    def define(self, api):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.define(api) is missing")

    @classmethod
    def declarations(cls):
        """[(name, decl)] in declaration order, base classes first."""
        seen: dict[str, SignalDecl] = {}
        for klass in reversed(cls.__mro__):
            for name, v in vars(klass).items():
                if isinstance(v, SignalDecl):
                    seen.pop(name, None)
                    seen[name] = v
        return list(seen.items())


def _index_names(name, shape):
    if not shape:
        return [name]
    out = [name]
    for d in shape:
        out = [f"{p}[{i}]" for p in out for i in range(d)]
    return out


class Layout:
    """Where each declared signal lives in the witness."""

    def __init__(self, circuit):
        decls = type(circuit).declarations()
        if not decls and type(circuit).define is Circuit.define:
            raise CircuitError(f"{type(circuit).__name__} declares no signals and no define()")
        self.entries = []  # (name, role, shape, first_wire, count)
        counts = {r: 0 for r in _ROLE_ORDER}
        w = 1
        for role in _ROLE_ORDER:
            for name, d in decls:
                if d.role != role:
                    continue
                shape = d.shape(circuit)
                n = 1
                for s in shape:
                    n *= s
                self.entries.append((name, role, shape, w, n))
                w += n
                counts[role] += n
        self.n_pub_out = counts["output"]
        self.n_pub_in = counts["public"]
        self.n_prv_in = counts["private"]
        self.first_internal = w
        self.names = {}
        for name, _role, shape, first, _n in self.entries:
            for i, nm in enumerate(_index_names(name, shape)):
                self.names[first + i] = nm

    def bind(self, api):
        """{name: signal or nested list of signals} for this api."""
        bound = {}
        for name, _role, shape, first, n in self.entries:
            flat = [api.signal(first + i) for i in range(n)]
            bound[name] = _nest(flat, shape)
        return bound

    def describe(self):
        return [
            {"name": name, "role": role, "shape": list(shape), "first_wire": first}
            for name, role, shape, first, n in self.entries
        ]


def _nest(flat, shape):
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


# ------------------------------------------------------------------ registry
_REGISTRY: dict[str, type["Circuit"]] = {}


def register(name):
    """Class decorator: make a circuit available to the CLI by ``name``."""

    def deco(cls):
        if not (isinstance(cls, type) and issubclass(cls, Circuit)):
            raise CircuitError(f"register({name!r}) must decorate a Circuit subclass")
        old = _REGISTRY.get(name)
        if old is not None and (old.__module__, old.__qualname__) != (
            cls.__module__,
            cls.__qualname__,
        ):
            raise CircuitError(
                f"circuit name {name!r} is registered twice "
                f"({old.__module__}.{old.__qualname__} and "
                f"{cls.__module__}.{cls.__qualname__})"
            )
        _REGISTRY[name] = cls
        cls.circuit_name = name
        return cls

    return deco


def registered():
    """{name: class} of the circuits registered so far (see load_all)."""
    return dict(_REGISTRY)
