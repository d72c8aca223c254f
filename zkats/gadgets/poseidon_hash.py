"""Poseidon hash (circomlib parameterisation): plain twin and in-circuit gadget.

``poseidon_plain(inputs)`` equals circomlibjs' ``poseidon(inputs)``: the state is
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


def poseidon_permute_plain(state):
    """Apply the Poseidon permutation of width ``len(state)`` (2..17) to ints mod r."""
    t = len(state)
    consts, mds = poseidon_params(t)
    r_p = N_ROUNDS_P[t - 2]
    half = N_ROUNDS_F // 2
    s = [int(x) % R for x in state]
    rng = range(t)
    for rnd in range(N_ROUNDS_F + r_p):
        c = consts[rnd * t : (rnd + 1) * t]
        if rnd < half or rnd >= half + r_p:
            s = [x + k for x, k in zip(s, c)]
            for i in rng:
                x = s[i]
                x2 = x * x % R
                s[i] = x2 * x2 % R * x % R
        else:
            s = [x + k for x, k in zip(s, c)]
            x = s[0]
            x2 = x * x % R
            s[0] = x2 * x2 % R * x % R
        s = [sum(m * x for m, x in zip(row, s)) % R for row in mds]
    return s


def poseidon_plain(inputs):
    """Poseidon hash of 1..16 field elements (ints), equal to circomlibjs' ``poseidon``."""
    inputs = list(inputs)
    _check_inputs(inputs)
    return poseidon_permute_plain([0] + inputs)[0]


def poseidon_long_plain(inputs):
    """Poseidon of any number >= 1 of field elements: :func:`poseidon_plain`
    for at most 16; beyond, a chain ``h = Poseidon(first 16)``, then ``h =
    Poseidon(h, next <= 15)`` until all are absorbed.  For inputs of a length
    fixed by the caller's format (a note's fields): equal lengths only."""
    inputs = list(inputs)
    h = poseidon_plain(inputs[:16])
    for i in range(16, len(inputs), 15):
        h = poseidon_plain([h] + inputs[i : i + 15])
    return h


# --------------------------------------------------------------- in-circuit
def _sbox(api, x):
    """x^5 in 3 constraints (free when x is constant)."""
    c = api.constant_value(x)
    if c is not None:
        return api.constant(pow(c, 5, R))
    x2 = api.mul(x, x)
    x4 = api.mul(x2, x2)
    return api.mul(x4, x)


def poseidon_permute(api, state, n_out=None):
    """In-circuit Poseidon permutation of width ``len(state)`` (2..17).

    The round-constant additions and MDS multiplications are linear and
    folded into the S-box constraints (3 per S-box: x^2, x^4, x^5); an S-box
    on a constant is computed at compile time.  Returns the first ``n_out``
    (default all) state elements as linear combinations; only the rows that
    are returned are computed in the last linear layer.
    """
    t = len(state)
    if not 2 <= t <= 17:
        raise InputError(f"poseidon: width must be 2..17, got {t}")
    consts, mds = poseidon_params(t)
    r_p = N_ROUNDS_P[t - 2]
    half = N_ROUNDS_F // 2
    n_rounds = N_ROUNDS_F + r_p
    s = [api.lc(x) for x in state]
    for rnd in range(n_rounds):
        s = [x + consts[rnd * t + i] for i, x in enumerate(s)]
        if rnd < half or rnd >= half + r_p:
            s = [_sbox(api, x) for x in s]
        else:
            s[0] = _sbox(api, s[0])
        rows = mds if rnd < n_rounds - 1 or n_out is None else mds[:n_out]
        s = [api.sum(s, row) for row in rows]
    return s


def poseidon(api, inputs):
    """Poseidon hash of 1..16 signals as a linear combination; equals
    :func:`poseidon_plain` on the same values.  Cost for n inputs: 3 * (8 * (n + 1)
    + R_P - 1) constraints (the S-box on the constant first state element is
    free), e.g. 240 for two inputs, like circomlib's Poseidon(2) at --O2.
    No precondition on the inputs (any field elements)."""
    inputs = list(inputs)
    _check_inputs(inputs)
    with api.scope(f"poseidon{len(inputs)}"):
        return poseidon_permute(api, [api.constant(0)] + inputs, n_out=1)[0]


def poseidon_long(api, inputs):
    """:func:`poseidon_long_plain` in constraints (one Poseidon per 15 inputs
    beyond the first 16)."""
    inputs = list(inputs)
    h = poseidon(api, inputs[:16])
    for i in range(16, len(inputs), 15):
        h = poseidon(api, [h] + inputs[i : i + 15])
    return h
