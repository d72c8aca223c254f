"""A prover pool: Ray actors that keep proving keys resident and prove jobs.

Each :class:`ProverWorker` actor opens a ``.zkey`` the first time a job
names it and keeps it (the key's read-only map and its checked header) for
every later job: a key is loaded once per worker process, not per job.  The
driver side, :class:`ProverPool`, is a small single-threaded dispatcher:

* **back-pressure**: at most ``depth`` jobs sit at one worker; the rest
  wait in the driver's queue, and :meth:`ProverPool.submit` blocks (while
  it drives finished jobs home) once ``max_pending`` jobs are outstanding;
* **retries**: a job whose worker died (killed, out of memory, node lost)
  goes back to the front of the queue and runs on a live worker; Ray
  restarts the dead actor (``max_restarts=-1``) and the pool sends it work
  again once it answers a ping.  A job is tried at most ``max_attempts``
  times;
* **exactly once per request id**: a job is keyed by its request id; a
  second submission of the same id returns the same :class:`Job`, never a
  second proof, and a job's result is set once (an attempt on a worker that
  died returned nothing, so nothing was produced twice);
* **verified results**: the worker proves with the prover's own self-check,
  and the driver verifies every returned proof against the key's
  verification key before :meth:`Job.result` hands it out.  A proof that
  does not verify there counts as a failed attempt (the worker is not
  trusted with the last word).

Trust boundary (docs/cluster.md): a pool is the prover's own
infrastructure.  The witness travels to the workers in clear; only the
party that holds a witness sends it, to its own pool.

Keys are named by path: the path must reach the same file on every node
(one machine, or a shared file system).
"""

import collections
import os
import secrets
import time

from ..errors import InputError, ZkatsError
from . import _ray
from ._ray import POOL_PREFIX, ClusterError


class ProverWorker:
    """The actor body (wrapped with ``ray.remote`` by :func:`worker_class`)."""

    def __init__(self):
        self._keys = {}
        self.loads = 0
        self.proved = 0
        self.prove_seconds = 0.0  # time spent in prove() (key loads included)

    def _key(self, path):
        # local import: loaded when a job runs (import zkats.cluster stays light)
        from ..formats.zkey_layout import open_zkey

        st = os.stat(path)
        tag = (st.st_size, st.st_mtime_ns, st.st_ino)
        held = self._keys.get(path)
        if held is None or held[0] != tag:  # first use, or the file was replaced
            self._keys[path] = held = (tag, open_zkey(path))
            self.loads += 1
        return held[1]

    def load(self, path):
        """Open ``path`` now (warm-up); returns the worker's info."""
        self._key(path)
        return self.info()

    def prove(self, request_id, path, witness):
        """Prove one job: ``(request_id, (a, b, c), public)`` with plain-int
        points; ZkatsError for a bad witness or key."""
        # local import: loaded when a job runs (import zkats.cluster stays light)
        from ..groth16.prover import prove

        t0 = time.perf_counter()
        proof, public = prove(self._key(path), witness)
        self.proved += 1
        self.prove_seconds += time.perf_counter() - t0
        return request_id, (proof.a, proof.b, proof.c), public

    def ping(self):
        return os.getpid()

    def info(self):
        return {
            "pid": os.getpid(),
            "loads": self.loads,
            "proved": self.proved,
            "prove_seconds": self.prove_seconds,
            "keys": sorted(self._keys),
        }


def worker_class(num_cpus=1):
    """ProverWorker as a Ray actor class that Ray restarts when it dies."""
    ray = _ray.ray()
    return ray.remote(num_cpus=num_cpus, max_restarts=-1, max_task_retries=0)(ProverWorker)


def start_workers(n, detached=False, num_cpus=1):
    """``n`` new prover actors, spread over the cluster's nodes; detached
    ones are named ``zkats-prover-I`` and outlive this driver."""
    cls = worker_class(num_cpus)
    actors = []
    for i in range(n):
        opts: dict[str, object] = {"scheduling_strategy": "SPREAD"}
        if detached:
            opts.update(
                name=f"{POOL_PREFIX}{i}",
                lifetime="detached",
                namespace=_ray.NAMESPACE,
                get_if_exists=True,
            )
        actors.append(cls.options(**opts).remote())
    return actors


def named_workers():
    """The detached prover actors of the connected cluster (by name order)."""
    ray = _ray.ray()
    names = sorted(
        (
            a["name"]
            for a in ray.util.list_named_actors(all_namespaces=True)
            if a.get("namespace") == _ray.NAMESPACE and a["name"].startswith(POOL_PREFIX)
        ),
        key=lambda n: int(n[len(POOL_PREFIX) :]) if n[len(POOL_PREFIX) :].isdigit() else 0,
    )
    return [ray.get_actor(n, namespace=_ray.NAMESPACE) for n in names]


class Job:
    """One proving request: a future for ``(Proof, public_signals)``."""

    def __init__(self, pool, request_id, path, witness):
        self.pool = pool
        self.request_id = request_id
        self.path = path
        self.witness = witness
        self.attempts = 0
        self.avoid: set = set()  # slots that returned a proof for it that did not verify
        self.submitted = time.perf_counter()
        self.finished = None
        self._result = None
        self._error = None

    @property
    def done(self):
        return self.finished is not None

    def result(self, timeout=None):
        """Wait for the job: ``(Proof, public)``, or the job's error."""
        self.pool._wait_for(self, timeout)
        if self._error is not None:
            raise self._error
        return self._result

    @property
    def latency(self):
        return None if self.finished is None else self.finished - self.submitted

    def _finish(self, result=None, error=None):
        if self.finished is not None:  # never twice
            raise AssertionError(f"job {self.request_id} finished twice")
        self._result, self._error = result, error
        self.finished = time.perf_counter()
        self.witness = None  # the pool keeps no witness after the job


class _Slot:
    def __init__(self, actor):
        self.actor = actor
        self.load = 0
        self.ping = None  # an ObjectRef while the worker is being re-checked


class ProverPool:
    """Send proving jobs to a pool of Ray actors (see the module docstring).

    ``address``: a running cluster (``zkats cluster up`` prints it) or None
    for a private local one.  On a cluster with ``zkats cluster up``'s named
    workers the pool uses them (unless ``named=False``); otherwise it starts
    ``workers`` actors of its own (default: the cluster's CPU count), which
    end with :meth:`close`.
    """

    def __init__(
        self,
        address=None,
        workers=None,
        depth=2,
        max_pending=None,
        max_attempts=3,
        local_cpus=None,
        named=True,
    ):
        self.ray = _ray.connect(address, num_cpus=local_cpus)
        if depth < 1 or max_attempts < 1:
            raise InputError("depth and max_attempts must be >= 1")
        actors = named_workers() if named and address is not None else []
        self.owned = not actors
        if not actors:
            n = workers or max(1, int(self.ray.cluster_resources().get("CPU", 1)))
            actors = start_workers(n)
        self._slots = [_Slot(a) for a in actors]
        self.depth = depth
        self.max_pending = max_pending or 4 * depth * len(self._slots)
        self.max_attempts = max_attempts
        self._queue: collections.deque = collections.deque()
        self._inflight = {}  # ObjectRef -> (job, slot)
        self._pings = {}  # ObjectRef -> slot
        self._jobs = {}  # request id -> Job
        self._vks = {}
        self.stats: collections.Counter = collections.Counter()

    @property
    def size(self):
        return len(self._slots)

    # -- submitting
    def submit(self, zkey_path, witness, request_id=None):
        """Queue a job (blocks while ``max_pending`` jobs are outstanding);
        returns its :class:`Job`.  ``witness``: the full witness as bytes
        (n_vars 32-byte little-endian values, e.g.
        :func:`zkats.formats.wtns.read_wtns_buffer`), an (n, 4) uint64 array
        or a list of ints.  The same ``request_id`` twice gives the same job."""
        if request_id is None:
            request_id = secrets.token_hex(16)
        job = self._jobs.get(request_id)
        if job is not None:
            self.stats["duplicates"] += 1
            return job
        path = os.path.abspath(os.fspath(zkey_path))
        _, n_vars = self._vk(path)
        job = Job(self, request_id, path, _witness_payload(witness, n_vars, request_id))
        while self._outstanding() >= self.max_pending:
            self.stats["backpressure_waits"] += 1
            self._pump()
        self._jobs[request_id] = job
        self._queue.append(job)
        self.stats["submitted"] += 1
        self._dispatch()
        return job

    def prove(self, zkey_path, witness, request_id=None):
        """Submit one job and wait for it: ``(Proof, public)``."""
        return self.submit(zkey_path, witness, request_id).result()

    def map(self, jobs):
        """Prove ``(zkey_path, witness[, request_id])`` tuples; yields the
        Jobs in completion order (all of them, errors included)."""
        pending = []
        for spec in jobs:
            pending.append(self.submit(*spec))
            yield from (j for j in pending if j.done)
            pending = [j for j in pending if not j.done]
        while pending:
            self._pump()
            yield from (j for j in pending if j.done)
            pending = [j for j in pending if not j.done]

    def drain(self, timeout=None):
        """Wait until every submitted job has finished (ClusterError after
        ``timeout`` seconds, the jobs still running)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._outstanding():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise ClusterError(
                    f"{self._outstanding()} jobs not done after {timeout} s "
                    f"({len(self._inflight)} at workers)"
                )
            self._pump(left)

    def warm(self, *zkey_paths):
        """Load keys on every worker now (so the first jobs do not pay for it)."""
        for p in zkey_paths:
            self._vk(os.path.abspath(p))
        refs = [s.actor.load.remote(os.path.abspath(p)) for s in self._slots for p in zkey_paths]
        self.ray.get(refs)

    def workers_info(self):
        """Each worker's pid, keys loaded and proofs made (after waiting for
        the workers being restarted to answer)."""
        while self._pings:
            self._pump()
        return self.ray.get([s.actor.info.remote() for s in self._slots])

    def close(self):
        """End the pool's own actors (a ``zkats cluster up`` pool stays)."""
        if self.owned:
            for s in self._slots:
                self.ray.kill(s.actor)
        self._slots = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the dispatcher
    def _vk(self, path):
        got = self._vks.get(path)
        if got is None:
            # local import: loaded when a job runs (import zkats.cluster stays light)
            from ..formats.zkey_layout import open_zkey

            key = open_zkey(path)
            got = self._vks[path] = (key.verifying_key(), int(key.n_vars))
        return got

    def _outstanding(self):
        return len(self._queue) + len(self._inflight)

    def _dispatch(self):
        while self._queue:
            live = [s for s in self._slots if s.ping is None and s.load < self.depth]
            if not live:
                return
            job = self._queue[0]
            # not back to a worker whose proof for this job did not verify
            # (unless no other worker is left)
            trusted = [s for s in live if id(s) not in job.avoid]
            if not trusted and any(id(s) not in job.avoid for s in self._slots if s.ping is None):
                return  # a trusted worker is busy: wait for it
            slot = min(trusted or live, key=lambda s: s.load)
            self._queue.popleft()
            job.attempts += 1
            ref = slot.actor.prove.remote(job.request_id, job.path, job.witness)
            slot.load += 1
            self._inflight[ref] = (job, slot)

    def _wait_for(self, job, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not job.done:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise ClusterError(f"job {job.request_id}: not done after {timeout} s")
            self._pump(left)

    def _pump(self, timeout=None):
        """Wait for one finished job or worker check and handle it."""
        self._dispatch()
        refs = list(self._inflight) + list(self._pings)
        if not refs:
            if self._queue:
                raise ClusterError("no prover worker is available")
            return
        ready, _ = self.ray.wait(refs, num_returns=1, timeout=timeout)
        for ref in ready:
            if ref in self._pings:
                self._ping_done(ref)
            else:
                self._job_done(ref)
        self._dispatch()

    def _ping_done(self, ref):
        slot = self._pings.pop(ref)
        try:
            self.ray.get(ref)
        except Exception as err:
            if not _ray.actor_died(err):
                raise
            if _ray.actor_gone(err) and self.owned:  # Ray gave up on it: replace it
                self.ray.kill(slot.actor)
                slot.actor = start_workers(1)[0]
                self.stats["replaced"] += 1
            else:  # restarting: ask again shortly
                time.sleep(0.2)
            ping = slot.actor.ping.remote()
            slot.ping = ping
            self._pings[ping] = slot
            return
        slot.ping = None

    def _job_done(self, ref):
        job, slot = self._inflight.pop(ref)
        slot.load -= 1
        try:
            rid, pts, public = self.ray.get(ref)
        except Exception as err:
            if _ray.actor_died(err):
                self.stats["worker_deaths"] += 1
                if slot.ping is None:  # check it before sending it more work
                    slot.ping = slot.actor.ping.remote()
                    self._pings[slot.ping] = slot
                self._retry(job, f"its worker died ({type(err).__name__})")
                return
            cause = _ray.task_cause(err)
            if isinstance(cause, (ZkatsError, MemoryError)):
                self.stats["failed"] += 1
                job._finish(error=cause)  # the job's own fault: no retry
                return
            raise
        # local import: loaded when a job runs (import zkats.cluster stays light)
        from ..groth16.data_structures import Proof
        from ..groth16.verifier import verify

        proof = Proof(a=pts[0], b=pts[1], c=pts[2])
        vk, _ = self._vk(job.path)
        try:
            ok = rid == job.request_id and verify(vk, public, proof)
        except InputError:
            ok = False
        if not ok:
            self.stats["bad_results"] += 1
            job.avoid.add(id(slot))
            self._retry(job, "a worker returned a proof that does not verify")
            return
        if job.attempts > 1:
            self.stats["retried"] += 1
        self.stats["completed"] += 1
        job._finish(result=(proof, public))

    def _retry(self, job, why):
        if job.attempts >= self.max_attempts:
            self.stats["failed"] += 1
            job._finish(
                error=ClusterError(
                    f"job {job.request_id}: failed {job.attempts} times; last: {why}"
                )
            )
            return
        self._queue.appendleft(job)


def _witness_payload(witness, n_vars, request_id):
    """The witness as bytes of n_vars 32-byte values (checked here, so that a
    wrong count fails at submission and names the request)."""
    # local import: loaded when a job runs (import zkats.cluster stays light)
    from ..groth16.prover import _witness_bytes

    try:
        buf = _witness_bytes(witness, n_vars)
    except InputError as err:
        raise InputError(f"job {request_id}: {err}") from None
    return bytes(memoryview(buf).cast("B"))
