import subprocess
import sys

import zkats
from zkats.field import Q, R, ints_to_limbs, limbs_to_ints


def test_moduli_match_py_ecc():
    from py_ecc import bn128

    assert R == bn128.curve_order
    assert Q == bn128.field_modulus


def test_limb_roundtrip_edges():
    vals = [0, 1, R - 1, Q - 1, 2**64, 2**255 - 19]
    assert limbs_to_ints(ints_to_limbs(vals)) == vals


def test_cli_version():
    out = subprocess.run(
        [sys.executable, "-m", "zkats.cli", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert zkats.__version__ in out.stdout
