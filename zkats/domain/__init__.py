"""The venue's domain: units, instruments, keys, account notes, orders,
margin models and oracle epochs (plain Python, integer arithmetic).

This layer sits below the circuits (``zkats.circuits`` states the same rules
in constraints; every function here that a circuit mirrors says so and uses
the same integers) and below the venue application (``zkats.venue``: batches,
ledger, settlement, workflow).  Modules are imported explicitly
(``from zkats.domain import units``); this package file imports nothing so
that the CLI stays fast.
"""
