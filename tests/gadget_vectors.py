"""Shared loaders for the stored peer vectors (vectors/*.json) used by the gadget tests."""

import json
from functools import lru_cache
from pathlib import Path

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


@lru_cache(maxsize=None)
def load(name):
    return json.loads((VECTORS / name).read_text())


def point(p):
    return (int(p[0]), int(p[1]))


def circomlib_count(template):
    return load("circomlib_counts.json")["templates"][template]["constraints"]


def assert_hints_constrained(cc, witness, sample=None, seed=0):
    """Tamper with hint outputs of a satisfied witness, one at a time, and
    assert the constraints catch every change (all hint wires, or a random
    sample of ``sample`` of them)."""
    import random

    from zkats.field import R

    values = list(witness.values)
    assert cc.unsatisfied(values) == []
    wires = [int(w) for w in cc.hint_wires]
    assert wires, "no hint wires to tamper with"
    if sample is not None and len(wires) > sample:
        wires = random.Random(seed).sample(wires, sample)
    for w in wires:
        old = values[w]
        values[w] = (old + 1) % R
        assert cc.unsatisfied(values), f"tampered hint wire {cc.wire_label(w)} went unnoticed"
        values[w] = old


@lru_cache(maxsize=None)
def live_vectors():
    """Fresh values from circomlibjs (one node run per test session, a new
    seed per run): the live check that the stored vectors' peer still agrees."""
    import secrets

    from conftest import run_node

    return json.loads(
        run_node("vectors/js/circomlibjs_vectors.js", "live", f"live-{secrets.token_hex(4)}")
    )
