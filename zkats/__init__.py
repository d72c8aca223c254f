"""zkats: a zero-knowledge settlement prover for a private derivatives venue.

Layers (each imports only the ones before it; docs/DESIGN.md has the
table): ``zkats.field``, ``zkats.r1cs``, ``zkats.groth16_data`` and
``zkats.errors`` (plain data), ``zkats.bn254`` (the native core's Python
face), ``zkats.circuit`` and ``zkats.gadgets`` (the constraint system),
``zkats.formats``, ``zkats.groth16``, ``zkats.commit``, ``zkats.pricing``
(numpy only: marks, Greeks, risk arrays) and ``zkats.venue``, the circuits in
``zkats.circuits``, and the CLI.
"""

import os as _os
import sys as _sys

__version__ = "0.1.0"

from .errors import ZkatsError  # noqa: F401


class _CheckoutCircuits:
    """Meta path finder for ``zkats.circuits`` in a source checkout whose
    editable install puts the checkout on ``sys.path`` (``make install``:
    setuptools' ``editable_mode=compat``, a static .pth).  The default
    editable mode maps ``circuits/`` to ``zkats.circuits`` with an import
    hook that every Python start-up imports (pathlib, re, urllib: about
    25 ms of each ``zkats`` command, a tenth of a 2^14 proof); here the
    mapping costs nothing until ``zkats`` is imported.  Installed from a
    wheel, ``zkats/circuits`` exists and this finder is not registered."""

    def __init__(self, path):
        self.path = path

    def find_spec(self, fullname, path=None, target=None):
        if fullname != __name__ + ".circuits":
            return None
        # local import: only when zkats.circuits is imported
        from importlib.machinery import ModuleSpec, SourceFileLoader

        init = _os.path.join(self.path, "__init__.py")
        spec = ModuleSpec(fullname, SourceFileLoader(fullname, init), origin=init, is_package=True)
        spec.submodule_search_locations = [self.path]
        spec.has_location = True
        return spec


def _register_checkout_circuits():
    here = _os.path.dirname(_os.path.abspath(__file__))
    circuits = _os.path.join(_os.path.dirname(here), "circuits")
    if not _os.path.isdir(_os.path.join(here, "circuits")) and _os.path.isfile(
        _os.path.join(circuits, "__init__.py")
    ):
        _sys.meta_path.append(_CheckoutCircuits(circuits))


_register_checkout_circuits()
