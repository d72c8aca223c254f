"""circom input JSON -> (signal name, [field elements]) as circom's witness
calculator takes them.

Facts from circom's generated ``witness_calculator.js`` (circom 2.1) and
snarkjs' ``wtns calculate`` (``unstringifyBigInts`` then ``BigInt(v) % p``):

* nested objects are flattened with ``.`` (``{"a": {"b": 1}}`` -> ``a.b``),
  arrays of objects with ``[i]`` (``{"a": [{"b": 1}]}`` -> ``a[0].b``);
  arrays of values stay one signal array (flattened row-major);
* a value is an integer, a decimal or ``0x`` hexadecimal string, a negative
  decimal string, or a boolean; it is reduced mod p (negatives wrap).

Differences, on purpose: a JSON number beyond 2^53 is refused (node reads
it as a double and silently rounds it: write it as a string), and so is a
fractional number (node throws a RangeError); a value that is not a
number is refused with its signal named, where node prints a stack trace.
"""

from ..errors import InputError

_SAFE = 1 << 53


def fnv1a64(name):
    """circom's signal-name hash (FNV-1a, 64 bits) as (high, low) 32-bit halves."""
    h = 0xCBF29CE484222325
    units = name.encode("utf-16-le")  # JavaScript's charCodeAt: UTF-16 code units
    for i in range(0, len(units), 2):
        h ^= units[i] | units[i + 1] << 8
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h >> 32, h & 0xFFFFFFFF


def _flat(v, out):
    if isinstance(v, list):
        for x in v:
            _flat(x, out)
    else:
        out.append(v)
    return out


def _qualify(prefix, value, out):
    if isinstance(value, list):
        flat = _flat(value, [])
        kinds = {isinstance(x, dict) for x in flat}
        if len(kinds) > 1:
            raise InputError(f"input {prefix}: mixes objects and values in one array")
        if flat and isinstance(flat[0], dict):
            for i, x in enumerate(value):
                _qualify(f"{prefix}[{i}]", x, out)
        else:
            out[prefix] = flat
    elif isinstance(value, dict):
        for k, x in value.items():
            _qualify(k if prefix == "" else f"{prefix}.{k}", x, out)
    else:
        out[prefix] = [value]


def field_value(v, prime, name):
    """One input value -> an int in [0, prime)."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        if abs(v) > _SAFE:
            raise InputError(
                f"input {name}: the JSON number {v} is beyond 2^53 (node rounds it); "
                "write it as a string"
            )
        return v % prime
    if isinstance(v, float):
        if not v.is_integer():
            raise InputError(f"input {name}: {v} is not an integer")
        if abs(v) > _SAFE:
            raise InputError(
                f"input {name}: the JSON number {v} is beyond 2^53; write it as a string"
            )
        return int(v) % prime
    if isinstance(v, str):
        s = v.strip()
        try:
            if s[:2].lower() == "0x":
                n = int(s[2:], 16)
            elif s[:3].lower() == "-0x":
                n = -int(s[3:], 16)
            else:
                n = int(s, 10)
        except ValueError:
            raise InputError(f"input {name}: {v!r} is not an integer") from None
        return n % prime
    if v is None:
        raise InputError(f"input {name}: null is not a value")
    raise InputError(f"input {name}: {type(v).__name__} is not a value")


def qualified_inputs(obj, prime):
    """{signal name: [int mod prime, ...]} in the JSON's key order."""
    if not isinstance(obj, dict):
        raise InputError("the input JSON must be an object of signal names")
    flat: dict = {}
    _qualify("", obj, flat)
    out = {}
    for name, vals in flat.items():
        label = name
        out[name] = [
            field_value(v, prime, label if len(vals) == 1 else f"{label}[{i}]")
            for i, v in enumerate(vals)
        ]
    return out
