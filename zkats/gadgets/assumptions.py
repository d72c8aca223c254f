"""Non-zero denominators that the constraints cannot show, declared by the gadgets that divide.

``api.div(a, b)`` emits ``b * q == a``: the constraints pin ``q`` down only where
``b != 0``.  A gadget whose denominators never vanish because of its own
preconditions (a point on the curve, a scalar range) states the argument with
:func:`nonzero_denominators` beside its definition.  ``zkats lint`` and the
mutation tester (:mod:`zkats.testing`) then take ``q`` as determined in the
divisions made directly inside that gadget's scope, and the lint lists every
use with the argument.  A circuit adds its own with ``LINT_NONZERO = {scope
pattern: argument}``.
"""

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

#: scope pattern (``fnmatch``) of a division -> the argument that its denominator is non-zero;
#: filled by the gadget modules of :mod:`zkats.gadgets` as they are imported
NONZERO_ASSUMPTIONS: dict[str, str] = {}


def nonzero_denominators(scope: str, argument: str) -> Callable[[F], F]:
    """Decorator for a gadget that opens ``api.scope(scope)`` and divides in it:
    the divisions directly in that scope (pattern ``*scope/div``) have non-zero
    denominators by ``argument``.  The gadget itself is returned unchanged."""

    def declare(fn: F) -> F:
        NONZERO_ASSUMPTIONS[f"*{scope}/div"] = argument
        return fn

    return declare
