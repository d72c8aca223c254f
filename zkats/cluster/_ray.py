"""Ray, imported on demand, and the connection every cluster piece shares.

Ray is the optional extra ``zkats[cluster]``: nothing else in zkats imports
it, and a missing Ray is one clear error (:class:`ClusterError`).
"""

import os

from ..errors import ZkatsError

#: the Ray namespace of zkats' named (detached) actors
NAMESPACE = "zkats"
#: name prefix of the prover-pool actors ``zkats cluster up`` starts
POOL_PREFIX = "zkats-prover-"


class ClusterError(ZkatsError):
    """The cluster cannot do what was asked (Ray missing or unreachable, a
    job failed on every attempt, a shard returned a wrong partial result)."""


def ray():
    """The ``ray`` module, or ClusterError naming the extra to install."""
    try:
        # local import: ray (seconds to import) loads only when a cluster is used
        import ray as _ray
    except ImportError:
        raise ClusterError(
            "the cluster needs Ray: pip install 'zkats[cluster]' (PyPI package ray)"
        ) from None
    return _ray


def connect(address=None, num_cpus=None):
    """Connect this process to a Ray cluster (once; later calls reuse it).

    ``address``: ``HOST:PORT`` of a running head (``zkats cluster up`` or
    ``ray start --head``), ``"auto"`` for the one this machine runs, or None
    for a private local cluster of ``num_cpus`` logical CPUs (default: the
    machine's) bound to 127.0.0.1.  Returns the ray module."""
    r = ray()
    if r.is_initialized():
        return r
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports leave the machine
    kw = {"namespace": NAMESPACE, "log_to_driver": False, "logging_level": "ERROR"}
    try:
        if address is None:
            r.init(
                address="local",  # a new instance, not one `ray start` left behind
                num_cpus=num_cpus or os.cpu_count() or 1,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                **kw,
            )
        else:
            r.init(address=address, **kw)
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise ClusterError(f"cannot connect to the Ray cluster at {address}: {err}") from None
    return r


def actor_died(err):
    """True if ``err`` (raised by ``ray.get``) means the worker process died
    or became unreachable, not that the job itself failed."""
    exc = ray().exceptions
    kinds = tuple(
        getattr(exc, n)
        for n in ("RayActorError", "ActorDiedError", "ActorUnavailableError", "WorkerCrashedError")
        if hasattr(exc, n)
    )
    return isinstance(err, kinds)


def actor_gone(err):
    """True if ``err`` says the actor is dead for good (Ray will not restart
    it), not merely restarting."""
    exc = ray().exceptions
    unavailable = getattr(exc, "ActorUnavailableError", ())
    return not (unavailable and isinstance(err, unavailable)) and isinstance(
        err, getattr(exc, "ActorDiedError", exc.RayActorError)
    )


def task_cause(err):
    """The exception a remote task raised (Ray wraps it), or ``err``."""
    cause = getattr(err, "cause", None)
    return cause if isinstance(cause, BaseException) else err
