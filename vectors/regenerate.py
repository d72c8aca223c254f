#!/usr/bin/env python3
"""Regenerate the peer vectors in this folder from the pinned npm peers.

    python vectors/regenerate.py            # everything
    python vectors/regenerate.py --no-circom

Writes
  circomlibjs.json           circomlibjs values (vectors/js/circomlibjs_vectors.js):
                             (plus zkats' Pedersen generators re-derived in JS),
                             Poseidon 1..16 inputs (random, 0, r-1, 1..n),
                             Baby Jubjub mul/add/pack, EdDSA-Poseidon sign/verify
  pedersen_generators.json   zkats' own nothing-up-my-sleeve generators (the
                             derivation in zkats/gadgets/pedersen.py), pinned
  circom_semantics.json      circom2-compiled Poseidon(2) outputs and which
                             signatures EdDSAPoseidonVerifier accepts
  circomlib_counts.json      constraint counts of circomlib templates compiled
                             with circom2 --O2 (vectors/circom/*.circom)

Needs node and `npm ci` (package.json / package-lock.json pin the peers).
"""

import json
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / "node_modules" / ".bin"


def r1cs_counts(path):
    """(nConstraints, nWires, nPubOut, nPubIn, nPrvIn) from an iden3 .r1cs header."""
    data = Path(path).read_bytes()
    if data[:4] != b"r1cs":
        raise ValueError(f"{path}: not an r1cs file")
    nsec = struct.unpack_from("<I", data, 8)[0]
    off = 12
    for _ in range(nsec):
        stype, ssize = struct.unpack_from("<IQ", data, off)
        off += 12
        if stype == 1:
            n8 = struct.unpack_from("<I", data, off)[0]
            p = off + 4 + n8
            n_wires, n_out, n_pub, n_prv = struct.unpack_from("<IIII", data, p)
            n_cons = struct.unpack_from("<I", data, p + 16 + 8)[0]
            return n_cons, n_wires, n_out, n_pub, n_prv
        off += ssize
    raise ValueError(f"{path}: no header section")


def compile_count(circom_file, substitutions=None):
    src = circom_file.read_text()
    for k, v in (substitutions or {}).items():
        src = src.replace(k, str(v))
    with tempfile.TemporaryDirectory() as tmp:
        main = Path(tmp) / circom_file.name
        main.write_text(src)
        subprocess.run(
            [
                str(BIN / "circom2"),
                str(main),
                "--r1cs",
                "--O2",
                "-l",
                str(ROOT / "node_modules" / "circomlib" / "circuits"),
                "-o",
                tmp,
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        return r1cs_counts(Path(tmp) / (circom_file.stem + ".r1cs"))


def _run_witness(wasm_dir, stem, inputs, tmp):
    """circom2's witness calculator on ``inputs``: the witness values, or None
    when an assertion of the circuit fails."""
    inp = Path(tmp) / "input.json"
    inp.write_text(
        json.dumps(
            {
                k: (str(v) if not isinstance(v, list) else [str(x) for x in v])
                for k, v in inputs.items()
            }
        )
    )
    wtns = Path(tmp) / "w.wtns"
    r = subprocess.run(
        [
            str(BIN / "snarkjs"),
            "wtns",
            "calculate",
            str(Path(wasm_dir) / f"{stem}_js" / f"{stem}.wasm"),
            str(inp),
            str(wtns),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if r.returncode != 0 or not wtns.exists():
        return None
    js = Path(tmp) / "w.json"
    subprocess.run(
        [str(BIN / "snarkjs"), "wtns", "export", "json", str(wtns), str(js)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    wtns.unlink()
    return json.loads(js.read_text())


def circom_semantics(vecs):
    """Run circom2-compiled circomlib circuits on chosen inputs: Poseidon(2)
    outputs, and which EdDSA-Poseidon signatures EdDSAPoseidonVerifier accepts."""
    L = 2736030358979909402780800718157159386076813972158567259200215660948447373041
    R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
    out = {"poseidon2": [], "eddsaposeidon": []}
    with tempfile.TemporaryDirectory() as tmp:
        for stem in ("poseidon2", "eddsaposeidon"):
            # compiled from a copy: the file's own folder must not shadow circomlib's includes
            src = Path(tmp) / "src"
            src.mkdir(exist_ok=True)
            (src / f"{stem}.circom").write_text((HERE / "circom" / f"{stem}.circom").read_text())
            subprocess.run(
                [
                    str(BIN / "circom2"),
                    str(src / f"{stem}.circom"),
                    "--wasm",
                    "--O2",
                    "-l",
                    str(ROOT / "node_modules" / "circomlib" / "circuits"),
                    "-o",
                    tmp,
                ],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
        for ins in ([0, 0], [1, 2], [R - 1, R - 1], [12345, 67890]):
            w = _run_witness(tmp, "poseidon2", {"in": ins}, tmp)
            out["poseidon2"].append({"inputs": [str(x) for x in ins], "out": w[1]})
        base = vecs["eddsa"][5]
        valid = {
            "enabled": 1,
            "Ax": int(base["pub"][0]),
            "Ay": int(base["pub"][1]),
            "S": int(base["S"]),
            "R8x": int(base["R8"][0]),
            "R8y": int(base["R8"][1]),
            "M": int(base["msg"]),
        }
        other = vecs["eddsa"][9]
        cases = {
            "valid": {},
            "wrong_message": {"M": (valid["M"] + 1) % R},
            "wrong_S": {"S": (valid["S"] + 1) % L},
            "S_plus_L": {"S": valid["S"] + L},
            "other_key": {"Ax": int(other["pub"][0]), "Ay": int(other["pub"][1])},
            "identity_key": {"Ax": 0, "Ay": 1},
            "R8_off_curve": {"R8y": (valid["R8y"] + 1) % R},
        }
        for name, over in cases.items():
            inputs = dict(valid, **over)
            w = _run_witness(tmp, "eddsaposeidon", inputs, tmp)
            out["eddsaposeidon"].append(
                {
                    "case": name,
                    "inputs": {k: str(v) for k, v in inputs.items()},
                    "accepted": w is not None,
                }
            )
    return out


def pedersen_generators():
    sys.path.insert(0, str(ROOT))
    from zkats.gadgets.pedersen import DOMAIN, blinding_generator, value_generators

    gens = value_generators(4)
    return {
        "derivation": "zkats/gadgets/pedersen.py: try-and-increment SHA-256 hash to curve, "
        "times cofactor 8, checked in the order-L subgroup",
        "domain": DOMAIN.decode(),
        "H": {"label": "blinding", "point": [str(c) for c in blinding_generator()]},
        "G": [{"label": f"value/{i}", "point": [str(c) for c in g]} for i, g in enumerate(gens)],
    }


def main(argv):
    out = subprocess.run(
        ["node", str(HERE / "js" / "circomlibjs_vectors.js")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    json.loads(out)
    (HERE / "circomlibjs.json").write_text(out)
    gens = pedersen_generators()
    (HERE / "pedersen_generators.json").write_text(json.dumps(gens, indent=1) + "\n")
    if "--semantics-only" in argv:
        sem = circom_semantics(json.loads(out))
        sem["compiler"] = "circom2@0.2.23 --O2 --wasm, snarkjs wtns calculate"
        (HERE / "circom_semantics.json").write_text(json.dumps(sem, indent=1) + "\n")
        return 0
    if "--no-circom" not in argv:
        g, h = gens["G"][0]["point"], gens["H"]["point"]
        subs = {"GX": g[0], "GY": g[1], "HX": h[0], "HY": h[1]}
        counts = {"compiler": "circom2@0.2.23 --O2", "library": "circomlib@2.0.5", "templates": {}}
        for f in sorted((HERE / "circom").glob("*.circom")):
            n_cons, n_wires, n_out, n_pub, n_prv = compile_count(f, subs)
            counts["templates"][f.stem] = {
                "constraints": n_cons,
                "wires": n_wires,
                "outputs": n_out,
                "public_inputs": n_pub,
                "private_inputs": n_prv,
            }
            print(f"{f.stem}: {n_cons} constraints", file=sys.stderr)
        (HERE / "circomlib_counts.json").write_text(json.dumps(counts, indent=1) + "\n")
        sem = circom_semantics(json.loads(out))
        sem["compiler"] = "circom2@0.2.23 --O2 --wasm, snarkjs wtns calculate"
        (HERE / "circom_semantics.json").write_text(json.dumps(sem, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    if shutil.which("node") is None:
        sys.exit("node is not installed")
    sys.exit(main(sys.argv[1:]))
