"""snarkjs' default file names: the same command lines with the file
arguments left out, run by snarkjs and by zkats in two directories holding
the same default-named inputs (circuit.r1cs, circuit.wasm, input.json,
powersoftau.ptau, ...), create the same files, step by step, and the
results interoperate (zkats verifies snarkjs' proof and the reverse)."""

import json
import shutil

import pytest

from _circomlib import compiled, dev_ptau, inputs, snarkjs, zkats

pytestmark = pytest.mark.peers

NAME = "circomlib_comparators"

#: (command line, files it must create): every file argument left to its default
STEPS = [
    (["powersoftau", "new", "bn128", "2"], {"powersOfTau2_0000.ptau"}),
    (["r1cs", "info"], set()),
    (["groth16", "setup"], {"circuit_0000.zkey"}),
    (["wtns", "calculate"], {"witness.wtns"}),
    (["zkey", "export", "verificationkey"], {"circuit_vk.json"}),
    (["groth16", "prove"], {"proof.json", "public.json"}),
    (["zkey", "export", "solidityverifier"], {"verifier.sol"}),
    (["zkey", "export", "soliditycalldata"], set()),
]


def _setup(d, c, ptau):
    d.mkdir()
    shutil.copy(c.r1cs, d / "circuit.r1cs")
    shutil.copy(c.wasm, d / "circuit.wasm")
    shutil.copy(c.sym, d / "circuit.sym")
    shutil.copy(ptau, d / "powersoftau.ptau")
    (d / "input.json").write_text(json.dumps(inputs(NAME)))


def _files(d):
    return {p.name for p in d.iterdir()}


def test_default_file_names_are_snarkjs(tmp_path_factory, tmp_path):
    c = compiled(NAME, tmp_path_factory)
    ptau = dev_ptau(14, tmp_path_factory)
    ds, dz = tmp_path / "snarkjs", tmp_path / "zkats"
    for d in (ds, dz):
        _setup(d, c, ptau)
    for args, made in STEPS:
        if args[:3] == ["zkey", "export", "verificationkey"]:
            for d in (ds, dz):  # no contribution: the initial key proves as the final one
                shutil.copy(d / "circuit_0000.zkey", d / "circuit_final.zkey")
        before = _files(dz)
        snarkjs(*args, cwd=ds)
        zkats(*args, cwd=dz)
        assert _files(ds) == _files(dz), args
        assert _files(dz) - before == made, args
    for d in (ds, dz):
        shutil.copy(d / "circuit_vk.json", d / "verification_key.json")
    # each verifies its own proof and the other's, all names defaulted
    for d, other in ((ds, dz), (dz, ds)):
        assert "OK" in zkats("groth16", "verify", cwd=d).stdout
        assert "OK" in snarkjs("groth16", "verify", cwd=d).stdout
        for f in ("proof.json", "public.json"):
            shutil.copy(other / f, d / f)
        assert "OK" in zkats("groth16", "verify", cwd=d).stdout
    # fullprove: input.json, circuit.wasm, circuit_final.zkey -> proof.json, public.json
    for d in (ds, dz):
        (d / "proof.json").unlink()
        (d / "public.json").unlink()
    snarkjs("groth16", "fullprove", cwd=ds)
    zkats("groth16", "fullprove", "-q", cwd=dz)
    assert _files(ds) == _files(dz)
    assert (ds / "public.json").read_text() == (dz / "public.json").read_text()
    # wtns debug: circuit.wasm, input.json -> witness.wtns, names from circuit.sym
    # (the wasm's name with .sym), constraints from circuit.r1cs beside it
    (dz / "witness.wtns").unlink()
    out = zkats("wtns", "debug", "--set", cwd=dz).stdout
    assert "main.a = 123456789" in out and "OK:" in out
    assert (dz / "witness.wtns").read_bytes() == (ds / "witness.wtns").read_bytes()
