"""Poseidon hash (circomlib parameterisation): plain twin and in-circuit gadget.

``poseidon(inputs)`` equals circomlibjs' ``poseidon(inputs)``: the state is
``[0, *inputs]`` (width ``t = len(inputs) + 1``), the permutation runs
4 full rounds, ``R_P`` partial rounds and 4 full rounds (add round
constants, x^5 S-box on every element or only on ``state[0]``, multiply by
the MDS matrix), and the hash is ``state[0]``.  Inputs are reduced mod r.
"""
from ..errors import InputError
from ..field import R
from .poseidon_constants import N_ROUNDS_F, N_ROUNDS_P, poseidon_params


def _check_inputs(inputs):
    if not 1 <= len(inputs) <= 16:
        raise InputError(f"poseidon takes 1..16 inputs, got {len(inputs)}")


def poseidon_permute(state):
    """Apply the Poseidon permutation of width ``len(state)`` (2..17) to ints mod r."""
    t = len(state)
    consts, mds = poseidon_params(t)
    r_p = N_ROUNDS_P[t - 2]
    half = N_ROUNDS_F // 2
    s = [int(x) % R for x in state]
    for rnd in range(N_ROUNDS_F + r_p):
        base = rnd * t
        s = [(x + consts[base + i]) % R for i, x in enumerate(s)]
        if rnd < half or rnd >= half + r_p:
            s = [pow(x, 5, R) for x in s]
        else:
            s[0] = pow(s[0], 5, R)
        s = [sum(m * x for m, x in zip(row, s)) % R for row in mds]
    return s


def poseidon(inputs):
    """Poseidon hash of 1..16 field elements (ints), equal to circomlibjs' ``poseidon``."""
    inputs = list(inputs)
    _check_inputs(inputs)
    return poseidon_permute([0] + inputs)[0]
