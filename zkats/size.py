"""The venue's size: which set of circuit parameters this process uses.

``ZKATS_VENUE_SIZE`` (read once, when zkats is imported) chooses it;
:data:`DEFAULT` applies when the variable is unset or empty.  The
parameters of each size live with the domain (:data:`zkats.domain.units.SIZES`);
this module only names the sizes and parses the variable, so that every
layer (the domain's units, the circuit layer's compile cache) agrees on one
default without importing a layer above it.

* ``production`` (the default): what a venue runs.
* ``ci``: the small configuration of the test suite (``tests/conftest.py``
  and ``make test`` set it).
"""

import os

from .errors import InputError

#: the environment variable that chooses the size
VARIABLE = "ZKATS_VENUE_SIZE"
#: the sizes zkats knows (their parameters: :data:`zkats.domain.units.SIZES`)
NAMES = ("ci", "production")
#: the size when :data:`VARIABLE` is unset or empty
DEFAULT = "production"


def parse(value):
    """The size named by ``value`` (None or "" -> :data:`DEFAULT`); InputError
    naming the variable for anything else."""
    if value is None or value == "":
        return DEFAULT
    if value not in NAMES:
        raise InputError(f"{VARIABLE}: one of {sorted(NAMES)}, got {value!r}")
    return value


#: the size of this process (fixed at import: keys, venues and ledgers are made for one size)
SIZE = parse(os.environ.get(VARIABLE))
