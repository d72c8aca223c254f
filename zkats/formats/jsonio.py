"""Strict JSON reading for every file zkats accepts from outside.

Python's C JSON scanner recurses once per nesting level, so a document of
100,000 ``[`` can overflow the C stack before ``RecursionError`` is raised
(it depends on the recursion limit in force).  These readers measure the
nesting depth with a linear scan first and refuse deep documents, refuse
duplicate keys and the non-standard constants NaN/Infinity, require UTF-8,
and cap the size; every failure is a :class:`FormatError` (an :class:`InputError`) naming
the source.
"""

import json
import re
from itertools import accumulate

from ..errors import FormatError, InputError

#: deepest nesting any zkats JSON format needs (snarkjs' G2 points are 3)
MAX_DEPTH = 64
#: no zkats JSON input is anywhere near this; larger files are refused unread
MAX_BYTES = 256 * 1024 * 1024

# a string literal, as an unrolled loop (runs of plain characters matched at
# once: several times faster than one alternation a character)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """Maximum bracket depth outside string literals (linear, no recursion)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub('""', text))
    return max(0, max(accumulate(_STEP[c] for c in brackets), default=0))


class _Duplicate(Exception):
    pass


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def _reject_constant(name):
    raise ValueError(f"non-standard constant {name}")


def loads(text, source="JSON", max_depth=MAX_DEPTH, max_bytes=MAX_BYTES):
    """Parse JSON text (str or bytes) strictly; errors name ``source``."""
    if len(text) > max_bytes:
        raise FormatError(source, f"larger than {max_bytes} bytes")
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError(source, "not valid JSON (not UTF-8)") from None
    if nesting_depth(text) > max_depth:
        raise FormatError(source, f"not valid JSON (nested deeper than {max_depth} levels)")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except _Duplicate as err:
        raise FormatError(source, f"duplicate key {err.args[0]!r}") from None
    except json.JSONDecodeError as err:
        raise FormatError(source, f"not valid JSON ({err.msg} at line {err.lineno})") from None
    except (ValueError, RecursionError) as err:
        raise FormatError(source, f"not valid JSON ({str(err).splitlines()[0][:80]})") from None


def load_file(path, max_depth=MAX_DEPTH, max_bytes=MAX_BYTES):
    """Read and strictly parse a JSON file; errors name the file."""
    try:
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
    return loads(raw, source=str(path), max_depth=max_depth, max_bytes=max_bytes)
