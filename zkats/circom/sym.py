"""circom's ``.sym`` file: one line per signal, ``labelIdx,varIdx,
componentIdx,name`` (varIdx -1 for a signal the optimizer removed).
:func:`read_sym` gives the witness index -> name map snarkjs builds
(``loadsyms.js``: names of one wire joined with ``|``; wire 0 is ``one``).
"""

from ..errors import FormatError


def read_sym(path):
    """{wire index: name} of a ``.sym`` file (wire 0 = ``"one"``)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as err:
        raise FormatError(str(path), f"cannot read: {err.strerror}") from None
    except UnicodeDecodeError:
        raise FormatError(str(path), "not a circom .sym file (not UTF-8 text)") from None
    names = {0: "one"}
    seen = 0
    for n, line in enumerate(text.split("\n"), 1):
        parts = line.split(",")
        if len(parts) != 4:
            if line.strip():
                raise FormatError(
                    str(path), f"line {n} is not labelIdx,varIdx,componentIdx,name (a .sym file?)"
                )
            continue
        try:
            var = int(parts[1])
        except ValueError:
            raise FormatError(
                str(path), f"line {n}: varIdx {parts[1]!r} is not an integer"
            ) from None
        seen += 1
        if var < 0:
            continue
        names[var] = f"{names[var]}|{parts[3]}" if var in names else parts[3]
    if not seen:
        raise FormatError(str(path), "no signal lines (not a circom .sym file?)")
    return names


def wire_name(names, i):
    """The name of wire ``i`` (``one`` for 0), or ``w<i>`` when unnamed."""
    return names.get(i, f"w{i}")


def lc_text(lc, names):
    """snarkjs' ``r1cs print`` text of one linear combination {wire: coeff}:
    increasing wire order, coefficient 1 left out, ``+`` between terms."""
    out = ""
    for k in sorted(lc):
        name = wire_name(names, k)
        if name == "one":
            name = "1"
        vs = str(lc[k])
        if vs == "1":
            vs = ""
        if out and not vs.startswith("-"):
            vs = "+" + vs
        if out:
            vs = " " + vs
        out += vs + name
    return out


def constraint_text(a, b, c, names):
    """``[ A ] * [ B ] - [ C ] = 0`` as ``snarkjs r1cs print`` shows it."""
    return f"[ {lc_text(a, names)} ] * [ {lc_text(b, names)} ] - [ {lc_text(c, names)} ] = 0"
