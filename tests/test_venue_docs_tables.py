"""Rule 9 of the venue contract: each circuit's public signals are exactly
what docs/venue.md's table lists.  The table ("The circuits", at the ci
size the suite runs at) is parsed and compared with each circuit class's
public layout and carried values, name by name and size by size."""

import re
from pathlib import Path

import pytest

from zkats.circuit import list_circuits, load_circuit

DOC = Path(__file__).resolve().parent.parent / "docs" / "venue.md"


def _split(text):
    """Split on commas outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def _fields(text):
    """``[(name, n)]`` from ``a, b[3], leg (x, y)``: n None for a scalar."""
    out = []
    for part in _split(text):
        m = re.fullmatch(r"(\w+)(?:\[(\d+)\]| \(([^)]*)\))?", part)
        assert m, f"unreadable signal {part!r} in docs/venue.md"
        name, n, coords = m.groups()
        out.append((name, int(n) if n else len(coords.split(",")) if coords else None))
    return out


def _table():
    text = DOC.read_text()
    section = text.split("## The circuits", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] in list_circuits():
            public, _, carried = cells[3].partition("; carried: ")
            rows[cells[0]] = (_fields(public), _fields(carried) if carried else [])
    return rows


def test_the_table_lists_every_venue_statement():
    rows = _table()
    for name in ("transition", "withdraw", "deposit", "exit", "liquidate", "health", "match"):
        assert name in rows, f"docs/venue.md has no row for {name}"


@pytest.mark.parametrize("name", sorted(_table()))
def test_public_signals_are_the_documented_ones(name):
    public, carried = _table()[name]
    cls = load_circuit(name)
    assert list(cls.public_fields()) == public, name
    assert list(cls.carried_fields()) == carried, name
