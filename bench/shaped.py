"""Statement-shaped Groth16 keys for ``bench/gas.py --shaped``: one key per
escrow statement with exactly that statement's number of public inputs at
the venue size the process runs at, made from a KNOWN trapdoor (alpha,
beta, gamma shared by all keys, as keys of one phase-1 ceremony are), so
that every public-signal vector has a valid proof (:func:`prove`) without
compiling or solving the circuit.  A benchmark double, never a key to
trust: whoever knows the trapdoor proves anything.

Why the gas is the real keys' gas: the escrow's checks read only the
public signals (built here as the venue would make them), and the batch
verifier's cost depends only on the number of public inputs of each key,
which of them are 0 or 1 (no ecMul), the number of proofs and the keys
used; never on the points themselves.  So a production-size escrow runs
end to end, its proofs really verified, without production proving keys
(``--shaped`` at the ci size checks this against the real circuits' run).
"""

import random

from zkats.bn254.curves import G1_GEN, G2_GEN
from zkats.field import R
from zkats.groth16 import _curve
from zkats.groth16.data_structures import Proof, VerifyingKey

G1, G2 = G1_GEN, G2_GEN


def fields(name):
    """[(field, offset, length or None)] of escrow statement ``name``'s
    public signals at this process's venue size."""
    from zkats.chain.devkeys import statement

    out, off = [], 0
    for field, n in statement(name).public_fields():
        out.append((field, off, n))
        off += 1 if n is None else n
    return out


def n_public(name):
    f = fields(name)[-1]
    return f[1] + (1 if f[2] is None else f[2])


class ShapedKeys:
    """``vks[name]`` for the escrow's statements; ``prove(name, pub, prv)``
    with the signature of :meth:`zkats.chain.devkeys.DevKeys.prove`;
    ``public(name, **values)``: a signal vector, random nonzero field
    elements where no value is given (ciphertexts, nullifiers, ...)."""

    def __init__(self, names, seed=2016):
        self.rnd = random.Random(seed)
        base = {k: self.rnd.randrange(2, R) for k in ("alpha", "beta", "gamma")}
        self.td, self.vks = {}, {}
        for name in names:
            td = dict(base, delta=self.rnd.randrange(2, R))
            td["ic"] = [self.rnd.randrange(2, R) for _ in range(n_public(name) + 1)]
            self.td[name] = td
            self.vks[name] = VerifyingKey(
                alpha_1=_curve.g1_mul(G1, td["alpha"]),
                beta_2=_curve.g2_mul(G2, td["beta"]),
                gamma_2=_curve.g2_mul(G2, td["gamma"]),
                delta_2=_curve.g2_mul(G2, td["delta"]),
                ic=tuple(_curve.g1_mul(G1, k) for k in td["ic"]),
            )

    def proof(self, name, public):
        """A proof of ``public`` under ``name``'s key (from the trapdoor)."""
        td = self.td[name]
        a, b = self.rnd.randrange(1, R), self.rnd.randrange(1, R)
        lin = (td["ic"][0] + sum(x * k for x, k in zip(public, td["ic"][1:]))) % R
        c = (a * b - td["alpha"] * td["beta"] - lin * td["gamma"]) * pow(td["delta"], -1, R) % R
        return Proof(a=_curve.g1_mul(G1, a), b=_curve.g2_mul(G2, b), c=_curve.g1_mul(G1, c))

    def prove(self, name, pub, prv=None):
        """(proof of ``pub``'s Groth16 inputs, ``pub``'s record)."""
        return self.proof(name, [int(x) for x in pub.proof_values()]), [
            int(x) for x in pub.values()
        ]

    def public(self, name, **values):
        """A record of ``name``: its public signals, then its carried values
        (random where not given; a carried vector's hash signal is its hash)."""
        from zkats.chain.devkeys import statement
        from zkats.circuits._statement import carried_hash

        st = statement(name)
        carried = {}
        for field, n in st.carried_fields():
            v = values.get(field)
            carried[field] = [int(x) for x in v] if v is not None else self._random(n)
            values = {**values, st.CARRIED[field]: carried_hash(field, carried[field])}
        out = []
        for field, _, n in fields(name):
            v = values.get(field)
            if n is None:
                out.append(int(v) if v is not None else self.rnd.randrange(2, R))
            else:
                vs = list(v) if v is not None else self._random(n)
                if len(vs) != n:
                    raise ValueError(f"{name}.{field}: {n} values expected, got {len(vs)}")
                out += [int(x) for x in vs]
        return out + [x for vs in carried.values() for x in vs]

    def _random(self, n):
        return [self.rnd.randrange(2, R) for _ in range(n)]

    def item(self, name, **values):
        """(proof, record) of ``name`` with ``values``."""
        public = self.public(name, **values)
        return self.proof(name, public[: n_public(name)]), public
