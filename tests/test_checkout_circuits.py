"""zkats.circuits in a source checkout: zkats/__init__ maps the checkout's
circuits/ folder to the package when the editable install is a plain .pth
(``make install``: setuptools' editable_mode=compat), as setuptools' import
hook does in its default editable mode."""

import subprocess
import sys
from pathlib import Path

import zkats

ROOT = Path(__file__).resolve().parent.parent
CIRCUITS = ROOT / "circuits"


def test_the_finder_answers_only_for_zkats_circuits():
    finder = zkats._CheckoutCircuits(str(CIRCUITS))
    assert finder.find_spec("zkats.other") is None
    assert finder.find_spec("circuits") is None
    spec = finder.find_spec("zkats.circuits")
    assert spec.name == "zkats.circuits"
    assert spec.origin == str(CIRCUITS / "__init__.py")
    assert spec.submodule_search_locations == [str(CIRCUITS)]


def test_zkats_circuits_is_the_checkouts_folder_in_a_fresh_interpreter():
    code = (
        "import zkats.circuits, zkats.circuits._common as e; "
        "print(zkats.circuits.__file__); print(e.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    ).stdout.split()
    assert Path(out[0]).resolve() == (CIRCUITS / "__init__.py").resolve()
    assert out[1] == "zkats.circuits._common"
