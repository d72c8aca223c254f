"""The exceptions zkats raises for user-facing failures.

Every message names the file, field or constraint at fault and never
contains secret material (openings, keys, blinding factors).  The CLI prints
``str(err)`` on one line and exits non-zero.
"""


class ZkatsError(Exception):
    """Base class of every user-facing zkats failure."""


class InputError(ZkatsError, ValueError):
    """A value from outside is malformed: not canonical, off curve, wrong size."""


class FormatError(InputError):
    """A file does not parse: wrong magic, version, section, size or field."""

    def __init__(self, path, what, section=None):
        self.path = path
        self.section = section
        where = f"{path}" + (f": section {section}" if section is not None else "")
        super().__init__(f"{where}: {what}")


class CircuitError(ZkatsError):
    """A circuit is misdeclared or a gadget's precondition is violated."""


class UnsatisfiedConstraint(ZkatsError):
    """A witness does not satisfy a constraint system."""

    def __init__(self, message, index=None):
        self.index = index
        super().__init__(message)


class VerificationError(ZkatsError):
    """A proof does not verify."""


class LedgerError(ZkatsError):
    """The settlement ledger refused a batch; nothing was applied."""
