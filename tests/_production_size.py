"""Run under ZKATS_VENUE_SIZE=production by tests/test_production_size.py:
every example statement of the scenario is built, checked natively and
solved by its circuit at production size; prints one JSON object."""

import json
import sys

from zkats.circuit import compile_circuit, list_circuits, load_circuit
from zkats.circuits._scenario import cases
from zkats.domain import margin, note_cipher, units


def main(names):
    out = {
        "size": units.SIZE,
        "n_slots": units.N_SLOTS,
        "epoch_size": units.EPOCH_SIZE,
        "tree_depth": units.TREE_DEPTH,
        "n_underlyings": units.N_UNDERLYINGS,
        "n_scenarios": margin.N_SCENARIOS,
        "n_ct": note_cipher.N_CT,
        "circuits": {},
    }
    for name, (mod, pub, prv) in cases().items():
        circuit = name if name in list_circuits() else name.rsplit("_", 1)[0]
        if names and circuit not in names:
            continue
        assert mod.check(pub, prv)
        cc = compile_circuit(load_circuit(circuit))
        assert cc.solve(mod.inputs(pub, prv)).public == pub.proof_values()
        out["circuits"][name] = {"constraints": cc.n_constraints, "public": cc.n_pub_in}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
