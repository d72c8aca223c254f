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
