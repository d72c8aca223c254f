"""The venue application: settlement batches and their rules, the ledger,
the settlement service, the trader/operator workflow and the demo.

It sits above the circuits (``zkats.circuits``), which sit above the venue's
domain (``zkats.domain``).  Modules are imported explicitly (``from
zkats.venue import batch``); this package file imports nothing so that the
CLI stays fast.
"""


def __getattr__(name):
    # lazy: ``zkats.venue.SettlementService`` without importing it at package import
    if name in ("SettlementService", "BatchReceipt"):
        from . import settlement

        return getattr(settlement, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
