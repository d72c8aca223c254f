"""The one-party development fast path of the powers-of-tau ceremony:
byte-identical to new -> contribute (same secret) -> prepare phase2, and
accepted by both verifiers."""

import subprocess

import numpy as np
import pytest

from conftest import require_peer
from zkats.formats import ptau as ptf
from zkats.groth16 import ceremony as cer, transcript as tr


def _rng(seed):
    return tr.ChaCha.from_hash(bytes([seed]) * 64)


@pytest.mark.parametrize("power", [1, 2, 4, 5, 8])
def test_fast_path_is_byte_identical_to_the_slow_path(power, tmp_path):
    fast, h_fast = cer._dev_prepared_ptau_with_rng(power, _rng(power), "dev")
    slow, h_slow = cer._contribute_with_rng(cer.new_accumulator(power), _rng(power), "dev", 0)
    slow = cer.prepare_phase2(slow)
    assert h_fast == h_slow
    a, b = tmp_path / "fast.ptau", tmp_path / "slow.ptau"
    ptf.write_ptau(a, fast)
    ptf.write_ptau(b, slow)
    assert a.read_bytes() == b.read_bytes()


def test_fast_path_fresh_secrets_and_own_verifier():
    a, _ = cer.dev_prepared_ptau(3, name="a")
    b, _ = cer.dev_prepared_ptau(3, name="a")
    assert not np.array_equal(a.tau_g1, b.tau_g1)  # fresh secrets every call
    assert len(cer.verify(a)) == 1 and a.prepared
    assert a.contributions[0].name == ptf.encode_name("a")


def test_fast_path_refuses_a_used_accumulator():
    pt, _ = cer.contribute(cer.new_accumulator(2))
    with pytest.raises(Exception, match="fresh accumulator"):
        cer._fresh_prepared_key(pt, {"tau": 2, "alpha": 3, "beta": 5})


@pytest.mark.peers
def test_snarkjs_verifies_a_fast_path_file(tmp_path):
    snarkjs = require_peer("snarkjs")
    pt, _ = cer.dev_prepared_ptau(8, name="fast dev")
    out = tmp_path / "dev.ptau"
    ptf.write_ptau(out, pt)
    r = subprocess.run(
        [snarkjs, "powersoftau", "verify", str(out)], capture_output=True, text=True, timeout=300
    )
    log = r.stdout + r.stderr
    assert r.returncode == 0 and "Powers of Tau Ok" in log and "ERROR" not in log, log[-1500:]
