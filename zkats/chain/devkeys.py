"""Development keys for the venue circuits the escrow verifies.

A toy one-party ceremony (power 14: the largest escrow circuit, transition,
has 11,105 constraints) and one Groth16 setup per circuit, written into a
directory and reused when present.  Without a directory they live under
``$ZKATS_EVM_CACHE/devkeys`` (default ``~/.cache/zkats/evm/devkeys``), one
subdirectory per circuit named by the sha256 of its ``.r1cs`` bytes, so a
changed circuit gets a new key and an unchanged one is not set up again.
NOT a production ceremony: one
contributor who could forge proofs if the toxic waste were kept (it is
not: ``zkats.groth16.ceremony`` draws it from ``secrets`` and drops it).
"""
from pathlib import Path

#: the circuits whose proofs the escrow checks
ESCROW_CIRCUITS = ("deposit", "withdraw", "match", "transition")
POWER = 14


def circuit_class(name):
    import importlib
    mod = importlib.import_module(f"zkats.circuits.{name}")
    return mod, next(c for c in vars(mod).values() if isinstance(c, type)
                     and getattr(c, "circuit_name", None) == name)


class DevKeys:
    """``compiled[name]``, ``zkey[name]`` and ``path(name)`` (the .zkey file)."""

    def __init__(self, directory=None, circuits=ESCROW_CIRCUITS, power=POWER):
        from zkats.circuit import compile_circuit
        from zkats.formats.r1cs import write_r1cs
        from zkats.formats.zkey import read_zkey
        from zkats.groth16 import ceremony
        from zkats.groth16.generator import setup

        import hashlib
        import os
        from .evm import CACHE
        self.dir = Path(directory) if directory is not None else CACHE / "devkeys"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.compiled, self.zkey, self._paths = {}, {}, {}
        ptau = self.dir / f"pot{power}.ptau"
        for name in circuits:
            _, cls = circuit_class(name)
            cc = compile_circuit(cls())
            self.compiled[name] = cc
            tmp = self.dir / f"{name}.r1cs.tmp{os.getpid()}"
            write_r1cs(tmp, cc.r1cs)
            sub = self.dir / (name + "-" + hashlib.sha256(tmp.read_bytes()).hexdigest()[:16])
            sub.mkdir(exist_ok=True)
            os.replace(tmp, sub / f"{name}.r1cs")
            zk = self._paths[name] = sub / f"{name}.zkey"
            if not zk.exists():
                if not ptau.exists():
                    pt = ceremony.new_accumulator(power)
                    pt, _ = ceremony.contribute(pt, name="zkats chain dev (toy)")
                    pt = ceremony.prepare_phase2(pt)
                    ceremony.write(ptau, pt)
                setup(sub / f"{name}.r1cs", ptau, zk)
            self.zkey[name] = read_zkey(zk)

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
        assert public == [int(x) for x in pub.signals()]
        return proof, public
