"""Deterministic batch verification of Groth16 proofs of several keys: the
rule the generated on-chain batch verifier applies
(:mod:`zkats.groth16.solidity_batch`), reproduced off chain.

A batch is a list of proofs ``i = 0..n-1``, each with a key id ``k_i``
(an index into the verifier's keys), its points ``(A_i, B_i, C_i)`` and
its public inputs ``x_i``.  The coefficients come from Keccak-256 over the
whole batch, so nobody chooses them:

    transcript = [DOMAIN, n, m] ++ [k_i, a0, a1, b00, b01, b10, b11, c0, c1]
                 for each proof (calldata order: B's Fq2 halves swapped)
                 ++ all public inputs, proof after proof (m words)
    seed       = keccak256(the transcript words, 32 bytes big-endian each)
    rho_0 = 1,  rho_i = keccak256(seed, i) mod r   (i >= 1)

and the batch is accepted iff one multi-pairing holds:

    prod_i e(-rho_i A_i, B_i)
      * prod_k e(sum_{i: k_i = k} rho_i vk_x_i, gamma_k)
               e(sum_{i: k_i = k} rho_i C_i, delta_k)
               e((sum_{i: k_i = k} rho_i) alpha_k, beta_k)  == 1

(n + 3 pairings per key used).  If some proof is invalid, the pairing
products ``e_i`` of the single checks are not all 1 and the combination is
1 for at most one value of the last random coefficient, so a false batch
passes with probability about 1/r per Keccak evaluation an attacker tries
(the coefficients are modelled as a random oracle of the batch).
"""

from ..errors import InputError
from ..field import R
from ..keccak import keccak256, keccak_words
from . import _curve
from .verifier import check_proof, check_public

#: first transcript word (domain separation)
DOMAIN = int.from_bytes(keccak256(b"zkats.groth16.batch.v1"), "big")


def proof_words(proof):
    """``[a0, a1, b00, b01, b10, b11, c0, c1]`` in snarkjs' calldata order."""
    (ax, ay), (bx, by), (cx, cy) = (
        proof.a or (0, 0),
        proof.b or ((0, 0), (0, 0)),
        proof.c or (0, 0),
    )
    return [ax, ay, bx[1], bx[0], by[1], by[0], cx, cy]


def transcript(keys, items):
    """The transcript words of a batch (``items`` = [(public, proof)])."""
    inputs = [int(x) for public, _ in items for x in public]
    words = [DOMAIN, len(items), len(inputs)]
    for k, (_, proof) in zip(keys, items):
        words.append(int(k))
        words.extend(proof_words(proof))
    return words + inputs


def coefficients(keys, items):
    """``[rho_0, ..., rho_{n-1}]`` as the contract derives them."""
    seed = keccak_words(transcript(keys, items))
    return [1] + [keccak_words([seed, i]) % R for i in range(1, len(items))]


def _checked(vks, keys, items):
    keys, items = list(keys), list(items)
    if not items:
        raise InputError("batch: no proofs")
    if len(keys) != len(items):
        raise InputError(f"batch: {len(keys)} key ids for {len(items)} proofs")
    out = []
    for i, (k, item) in enumerate(zip(keys, items)):
        if not isinstance(k, int) or not 0 <= k < len(vks):
            raise InputError(f"batch item {i}: key id {k!r} not in 0..{len(vks) - 1}")
        try:
            public, proof = item
        except (TypeError, ValueError):
            raise InputError(f"batch item {i}: expected (public_signals, proof)") from None
        public = check_public(vks[k], public, f"batch item {i}: public signals")
        check_proof(proof, f"batch item {i}: proof")
        out.append((k, public, proof))
    return keys, [(p, pr) for _, p, pr in out], out


def verify_batch(vks, keys, items) -> bool:
    """True iff the on-chain rule accepts the batch: ``vks`` the verifier's
    keys in key-id order, ``keys[i]`` the key id of ``items[i] = (public,
    proof)``.  Raises InputError for malformed input (naming the item)."""
    keys, items, checked = _checked(vks, keys, items)
    rho = coefficients(keys, items)
    pairs = []
    per_key: dict = {}
    for r_i, (k, public, proof) in zip(rho, checked):
        if proof.a is not None:
            pairs.append((_curve.g1_mul(_curve.g1_neg(proof.a), r_i), proof.b))
        acc = per_key.setdefault(k, {"s": [0] * (len(public) + 1), "c": []})
        acc["s"][0] += r_i
        for j, x in enumerate(public):
            acc["s"][j + 1] += r_i * x
        if proof.c is not None:
            acc["c"].append((proof.c, r_i))
    for k, acc in sorted(per_key.items()):
        vk = vks[k]
        s = [v % R for v in acc["s"]]
        pairs.append((_curve.g1_lincomb(vk.ic, s), vk.gamma_2))
        if acc["c"]:
            pts, sc = zip(*acc["c"])
            pairs.append((_curve.g1_lincomb(pts, sc), vk.delta_2))
        pairs.append((_curve.g1_mul(vk.alpha_1, s[0]), vk.beta_2))
    return _curve.pairing_check(pairs)


def calldata_args(keys, items):
    """``verifyBatch``'s arguments as Python ints: (keys, a[], b[], c[],
    inputs), B's Fq2 halves swapped as in snarkjs' calldata."""
    a: list = []
    b: list = []
    c: list = []
    inputs: list = []
    for public, proof in items:
        w = proof_words(proof)
        a.append(w[0:2])
        b.append([w[2:4], w[4:6]])
        c.append(w[6:8])
        inputs.extend(int(x) for x in public)
    return [int(k) for k in keys], a, b, c, inputs


def flat_args(keys, items):
    """``verifyBatchFlat``'s arguments: (keys, the proofs' words, 8 per proof
    in ``verifyBatch``'s a, b, c order, inputs)."""
    keys, a, b, c, inputs = calldata_args(keys, items)
    words = [w for x, y, z in zip(a, b, c) for w in [*x, *y[0], *y[1], *z]]
    return keys, words, inputs
