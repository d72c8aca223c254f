"""zkats.pricing sits below the venue: importing it loads no venue, circuit,
chain, proof or CLI module."""

import subprocess
import sys


def test_pricing_imports_only_errors_and_numpy():
    code = "import sys, zkats.pricing; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = [m for m in out.stdout.split() if m.startswith("zkats.")]
    assert loaded and all(m == "zkats.errors" or m.startswith("zkats.pricing") for m in loaded), (
        loaded
    )
