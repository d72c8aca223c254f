"""Proving past one machine, on Ray (the optional extra ``zkats[cluster]``).

* :class:`~zkats.cluster.pool.ProverPool`: many proofs at once on a pool of
  Ray actors that keep proving keys resident (back-pressure, retries of a
  job whose worker died, exactly one result per request id, every proof
  verified before it is returned);
* :class:`~zkats.cluster.sharded.ShardedProver`: one proof whose proving
  key is split across workers (each holds about 1/k of the key's points);
  the coordinator computes the quotient and adds the partial results.

Start a cluster with ``zkats cluster up`` (or ``ray start --head``); see
docs/cluster.md, which also states the trust boundary: a pool is the
prover's own infrastructure.  Importing this package does not import Ray.
"""

from ._ray import ClusterError

__all__ = ["ClusterError", "ProverPool", "ShardFault", "ShardedProver"]


def __getattr__(name):
    if name == "ProverPool":
        # local import: ray and the pool load on first use of zkats.cluster.ProverPool
        from .pool import ProverPool

        return ProverPool
    if name in ("ShardedProver", "ShardFault"):
        # local import: ray and the pool load on first use of zkats.cluster.ProverPool
        from . import sharded

        return getattr(sharded, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
