"""The ``--cluster ADDRESS`` option shared by every proving command.

:func:`cluster_option` adds the option; :func:`remote_prover` turns its
value into a ``prove(zkey_path, witness) -> (Proof, public)`` callable that
sends the job to the prover pool at that address (None when the option is
absent: the command proves in-process as before).  Ray is imported only
when the option is given.
"""

import click

from ..errors import InputError

CLUSTER_HELP = (
    "Prove on the prover pool of the Ray cluster at ADDRESS (HOST:PORT from "
    "`zkats cluster up`). The witness is sent to that pool: use your own."
)


def cluster_option(f):
    return click.option("--cluster", "cluster", metavar="ADDRESS", default=None, help=CLUSTER_HELP)(
        f
    )


def remote_prover(address, shards=None):
    """A ``prove(zkey_path, witness)`` that runs on the pool at ``address``
    (or, with ``shards``, on a sharded prover there); None without address."""
    if not address:
        if shards:
            raise InputError("--shards needs --cluster ADDRESS")
        return None
    if shards:

        def prove_sharded(zkey_path, witness):
            # local import: a command loads what it needs when it runs (CLI start-up)
            from ..cluster.sharded import ShardedProver

            with ShardedProver(zkey_path, shards=shards, address=address) as sp:
                return sp.prove(witness)

        return prove_sharded
    pool: list = []

    def prove(zkey_path, witness):
        if not pool:
            # local import: a command loads what it needs when it runs (CLI start-up)
            from ..cluster.pool import ProverPool

            # the cluster's named workers (`zkats cluster up`), else one of
            # our own for this command (its proofs come one after another)
            pool.append(ProverPool(address, workers=1))
            ctx = click.get_current_context(silent=True)
            if ctx is not None:
                ctx.call_on_close(pool[0].close)
        return pool[0].prove(zkey_path, witness)

    return prove
