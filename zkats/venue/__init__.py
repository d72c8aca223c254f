"""The venue's domain: units, instruments, keys, account notes, orders,
margin models and oracle epochs (plain Python, integer arithmetic).

The circuits in ``circuits/`` state the same rules in constraints; every
function here that a circuit mirrors says so and uses the same integers.
Modules are imported explicitly (``from zkats.venue import units``); this
package file imports nothing so that the CLI stays fast.
"""


def __getattr__(name):
    # lazy: ``zkats.venue.SettlementService`` without importing it at package import
    if name in ("SettlementService", "BatchReceipt"):
        from . import settlement

        return getattr(settlement, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
