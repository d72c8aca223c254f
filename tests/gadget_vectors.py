"""Shared loaders for the stored peer vectors (vectors/*.json) used by the gadget tests."""

import json
from functools import cache
from pathlib import Path

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


@cache
def load(name):
    return json.loads((VECTORS / name).read_text())


def point(p):
    return (int(p[0]), int(p[1]))


def circomlib_count(template):
    return load("circomlib_counts.json")["templates"][template]["constraints"]


@cache
def live_vectors():
    """Fresh values from circomlibjs (one node run per test session, a new
    seed per run): the live check that the stored vectors' peer still agrees."""
    import secrets

    from conftest import run_node

    return json.loads(
        run_node("vectors/js/circomlibjs_vectors.js", "live", f"live-{secrets.token_hex(4)}")
    )
