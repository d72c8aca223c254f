"""``python -m zkats``: the zkats command line."""

from .cli import run

run()
