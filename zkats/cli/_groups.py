"""Command groups shared by several CLI modules (snarkjs' verbs)."""

from . import main


@main.group()
def groth16():
    """Groth16: setup, prove, verify (snarkjs' verbs and argument order)."""


@main.group()
def zkey():
    """Proving keys: contribute, beacon, verify, export."""


@zkey.group()
def export():
    """Export a verification key, a Solidity verifier or calldata."""


@main.group()
def powersoftau():
    """Powers-of-tau ceremony files (.ptau), compatible with snarkjs."""


@main.group()
def wtns():
    """Witness files (.wtns)."""


@main.group()
def r1cs():
    """Constraint-system files (.r1cs)."""


@main.group()
def circuit():
    """Circuits written with the zkats DSL."""
