"""Development keys for the venue circuits the escrow verifies.

Made or loaded by :class:`zkats.groth16.devsetup.DevSetup`, the same
cache the venue's ``dev_keys`` uses (``$ZKATS_KEY_CACHE``, else
``$ZKATS_EVM_CACHE/devkeys``, else ``~/.cache/zkats/devkeys``): a one-party
power-15 powers of tau (the largest escrow circuit, transition, has 16,908
constraints and 22 public signals: past 2^14 since the new note's
ciphertext, see docs/venue.md) and one Groth16 setup + phase-2 contribution per circuit,
keyed by the compiled circuit's hash, so a changed circuit gets a new key
and an unchanged one is not set up again.  On a cold cache the ptau and
all the keys come from one known-tau session (fast; see the devsetup
module).  NOT a production ceremony: one
contributor who could forge proofs if the toxic waste were kept (it is
not: ``zkats.groth16.ceremony`` draws it from ``secrets`` and drops it).
"""

from .escrow import KEYS

#: the circuits whose proofs the escrow checks, in its batch verifier's key
#: order (insert: the escrow's INSERT_K-leaf instance at the tree's depth)
ESCROW_CIRCUITS = KEYS
POWER = 15


def circuit_class(name):
    import importlib

    mod = importlib.import_module(f"zkats.circuits.{name}")
    return mod, next(
        c
        for c in vars(mod).values()
        if isinstance(c, type) and getattr(c, "circuit_name", None) == name
    )


def statement(name):
    """The circuit instance the escrow verifies for ``name``."""
    if name == "insert":
        from .escrow import insert_statement

        return insert_statement()
    return circuit_class(name)[1]()


class DevKeys:
    """``compiled[name]``, ``zkey[name]`` and ``path(name)`` (the .zkey file)."""

    def __init__(self, directory=None, circuits=ESCROW_CIRCUITS, power=POWER, progress=None):
        from zkats.circuit import compile_circuit
        from zkats.formats.zkey import read_zkey
        from zkats.groth16.devsetup import DevSetup

        dev = DevSetup(directory, power=power, progress=progress)
        self.dir = dev.dir
        self.compiled, self.zkey, self._paths = {}, {}, {}
        for name in circuits:
            self.compiled[name] = compile_circuit(statement(name))
        made = dev.keys(list(self.compiled.items()))  # one known-tau session when cold
        for name in circuits:
            self._paths[name] = made[name][0]
            self.zkey[name] = read_zkey(made[name][0])

    def path(self, name):
        return self._paths[name]

    def prove(self, name, pub, prv):
        """A Groth16 proof of ``pub``/``prv`` (the circuit module's build
        output); returns ``(proof, public ints)``, checked against ``pub``."""
        from zkats.groth16.prover import prove

        mod, _ = circuit_class(name)
        w = self.compiled[name].solve(mod.inputs(pub, prv))
        proof, public = prove(self.zkey[name], w.limbs(), check=True)
        public = [int(x) for x in public]
        assert public == [int(x) for x in pub.proof_values()]
        return proof, [int(x) for x in pub.values()]
