"""A sharded Groth16 prover: one proof, the proving key split over workers.

The point sections of a ``.zkey`` (A, B1, B2 over the wires, C over the
private wires, H over the domain) are most of its size.  With ``k``
shards, shard ``i`` holds the ``i``-th contiguous slice of each of the five
sections, about ``1/k`` of the key, read straight from the file (only its
own byte ranges: the worker never maps or reads the rest).  It keeps them
resident for every proof.

One proof (:meth:`ShardedProver.prove`):

1. the coordinator checks the witness and computes the quotient scalars h
   (:func:`zkats.groth16.r1cs_to_qap.quotient_scalars`: A.w and B.w from the
   coefficient section, three inverse NTTs, three coset NTTs; it holds the
   coefficients, the witness and three domain-size vectors, no points);
2. it sends each shard its scalar ranges (w for A, B1, B2; the private
   wires for C; h for H) and every shard returns five partial
   multi-exponentiations;
3. the coordinator adds the partials, blinds (the prover's own
   :func:`zkats.groth16.prover.blind`) and verifies the proof against the
   key's verification key before returning it;
4. when that final self-check fails, it recomputes each shard's partials
   from the key file and raises :class:`ShardFault` naming the shard (and
   section) whose partial is wrong, or, if every partial is right, the
   witness does not satisfy the circuit (:class:`UnsatisfiedConstraint`).

A shard whose worker dies is restarted by Ray (it reloads its slice) and
its partial task is run again (a partial is a pure function of the shard
and the scalars, so a retry cannot produce a second, different proof).

The MSMs scale with the shards; the quotient does not (it stays on the
coordinator, O(n log n) in one place): see docs/cluster.md.
"""

import os
import resource
import time

from ..errors import InputError, UnsatisfiedConstraint
from . import _ray
from ._ray import ClusterError

#: the point sections: name -> (zkey section id, uint64 limbs per point)
SECTIONS = {"A": (5, 8), "B1": (6, 8), "B2": (7, 16), "C": (8, 8), "H": (9, 8)}
#: which scalar vector each section's MSM takes
_SCALARS = {"A": "w", "B1": "w", "B2": "w", "C": "C", "H": "H"}
_FINGERPRINT = ("n_vars", "n_public", "domain_size", "alpha_1", "beta_1", "delta_1")


class ShardFault(ClusterError):
    """A shard returned a wrong partial result (caught by the self-check)."""

    def __init__(self, shard, section, message):
        self.shard = shard
        self.section = section
        super().__init__(message)


def split(n, k):
    """[(lo, hi)] * k: n items in k contiguous slices, sizes within one."""
    return [(n * i // k, n * (i + 1) // k) for i in range(k)]


def section_lengths(n_vars, n_public, domain):
    return {"A": n_vars, "B1": n_vars, "B2": n_vars, "C": n_vars - n_public - 1, "H": domain}


def plan(n_vars, n_public, domain, shards):
    """[{section: (lo, hi)}] for each shard."""
    if not isinstance(shards, int) or shards < 1:
        raise InputError(f"shards must be a positive integer, got {shards!r}")
    lengths = section_lengths(n_vars, n_public, domain)
    if shards > min(lengths.values()) and min(lengths.values()) > 0:
        raise InputError(
            f"{shards} shards for a key with {min(lengths.values())} points in a section"
        )
    cuts = {s: split(n, shards) for s, n in lengths.items()}
    return [{s: cuts[s][i] for s in SECTIONS} for i in range(shards)]


def _read_points(f, offset, lo, hi, limbs):
    """Points [lo, hi) of a section at ``offset`` as a fresh (n, limbs) array."""
    # local import: loaded when a job runs (import zkats.cluster stays light)
    import numpy as np

    arr = np.empty((hi - lo, limbs), dtype=np.uint64)
    view = memoryview(arr.data).cast("B")
    f.seek(offset + lo * limbs * 8)
    done = 0
    while done < len(view):
        got = f.readinto(view[done:])
        if not got:
            raise InputError(f"{f.name}: ends inside a point section")
        done += got
    return arr


class ShardWorker:
    """The actor body of one shard (wrapped with ``ray.remote``)."""

    def __init__(self, path, index, ranges, threads=None):
        # local import: loaded when a job runs (import zkats.cluster stays light)
        from ..formats.zkey_layout import open_sections, point_spans, read_groth_header

        self.index = index
        self.threads = threads
        self._corrupt = None
        bf = open_sections(path)  # maps the file; only the headers are read
        try:
            hdr = read_groth_header(bf)
            spans = point_spans(bf, hdr["n_vars"], hdr["n_public"], hdr["domain_size"])
        finally:
            bf.buf.close()
        self.fingerprint = tuple(hdr[k] for k in _FINGERPRINT)
        self.points = {}
        with open(path, "rb") as f:
            for name, (sid, limbs) in SECTIONS.items():
                lo, hi = ranges[name]
                self.points[name] = _read_points(f, spans[sid][0], lo, hi, limbs)

    def info(self):

        return {
            "shard": self.index,
            "pid": os.getpid(),
            "fingerprint": self.fingerprint,
            "shard_bytes": sum(a.nbytes for a in self.points.values()),
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        }

    def partial(self, scalars):
        """{section: partial MSM (plain-int point or None)}, and its seconds.
        ``scalars``: {"w": wires, "C": private wires, "H": h}, (n, 4)
        canonical uint64 arrays of this shard's ranges (A, B1 and B2 share
        the wire range: the wires travel once)."""
        # local import: loaded when a job runs (import zkats.cluster stays light)
        from .. import bn254

        t0 = time.perf_counter()
        out: dict = {}
        for name, pts in self.points.items():
            s = scalars[_SCALARS[name]]
            if s.shape[0] != pts.shape[0]:
                raise InputError(
                    f"shard {self.index}: {s.shape[0]} scalars for {pts.shape[0]} {name} points"
                )
            if not len(pts):
                out[name] = None
            elif name == "B2":
                out[name] = bn254.msm_g2_array(pts, s, threads=self.threads)
            else:
                out[name] = bn254.msm_g1_array(pts, s, threads=self.threads)
        if self._corrupt is not None:  # fault injection (tests, drills)
            out[self._corrupt] = bn254.g1_add(out[self._corrupt], (1, 2))
        return out, time.perf_counter() - t0

    def corrupt(self, section):
        """Fault injection for tests and drills: from now on add the G1
        generator to this shard's ``section`` partial (A, B1, C or H);
        None ends it."""
        if section not in (None, "A", "B1", "C", "H"):
            raise InputError(f"cannot corrupt section {section!r} (A, B1, C or H)")
        self._corrupt = section


class ShardedProver:
    """Prove with ``zkey_path`` split over ``shards`` Ray actors.

    ``address``: a running cluster, or None for a private local one.  The
    key path must reach the same file on every node.  ``threads``: native
    threads per shard's MSM (None: all the node's cores)."""

    def __init__(self, zkey_path, shards=2, address=None, threads=None, local_cpus=None):
        # local import: loaded when a job runs (import zkats.cluster stays light)
        from ..formats.zkey_layout import open_zkey

        self.ray = _ray.connect(address, num_cpus=local_cpus)
        self.path = os.path.abspath(os.fspath(zkey_path))
        self.key = open_zkey(self.path)
        k = self.key
        self.plan = plan(int(k.n_vars), int(k.n_public), int(k.domain_size), shards)
        cls = self.ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=3)(ShardWorker)
        self.workers = [
            cls.options(scheduling_strategy="SPREAD").remote(self.path, i, r, threads)
            for i, r in enumerate(self.plan)
        ]
        want = tuple(getattr(k, f) for f in _FINGERPRINT)
        self.info = self.ray.get([w.info.remote() for w in self.workers])
        for inf in self.info:
            if tuple(inf["fingerprint"]) != want:
                raise ClusterError(f"shard {inf['shard']} loaded a different key than {self.path}")
        self.last_timings = {}

    @property
    def shards(self):
        return len(self.workers)

    def close(self):
        for w in self.workers:
            self.ray.kill(w)
        self.workers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def memory(self):
        """Each shard's info (peak RSS, bytes of points held)."""
        return self.ray.get([w.info.remote() for w in self.workers])

    def prove(self, witness, timeout=None):
        """``(Proof, public)`` for a full witness (bytes of n_vars 32-byte
        values, an (n, 4) uint64 array or ints), self-checked.  ClusterError
        if the shards' partial results are not all back after ``timeout``
        seconds."""
        # local import: loaded when a job runs (import zkats.cluster stays light)
        import numpy as np

        from ..groth16.prover import _witness_bytes, blind
        from ..groth16.r1cs_to_qap import quotient_scalars
        from ..groth16.verifier import verify

        k = self.key
        n_vars, n_public, domain = int(k.n_vars), int(k.n_public), int(k.domain_size)
        t0 = time.perf_counter()
        w = _witness_bytes(witness, n_vars)
        wa = np.frombuffer(bytes(memoryview(w).cast("B")), dtype=np.uint64).reshape(-1, 4)
        h = quotient_scalars(k.section_buffers()["coeffs"], wa, domain, k.power)
        t1 = time.perf_counter()
        wc = wa[n_public + 1 :]
        vecs = {"A": wa, "B1": wa, "B2": wa, "C": wc, "H": h}
        refs = []
        for worker, ranges in zip(self.workers, self.plan):
            part = {_SCALARS[s]: vecs[s][lo:hi] for s, (lo, hi) in ranges.items()}
            refs.append(
                worker.partial.remote({v: np.ascontiguousarray(a) for v, a in part.items()})
            )
        try:
            results = self.ray.get(refs, timeout=timeout)
        except Exception as err:
            if isinstance(err, self.ray.exceptions.GetTimeoutError):
                raise ClusterError(
                    f"the shards' partial results: not all back after {timeout} s"
                ) from None
            cause = _ray.task_cause(err)
            if isinstance(cause, InputError):
                raise cause from None
            if _ray.actor_died(err):
                raise ClusterError(f"a shard worker is gone and was not restarted: {err}") from None
            raise
        t2 = time.perf_counter()
        parts = [r[0] for r in results]
        total = {s: _sum(s, (p[s] for p in parts)) for s in SECTIONS}
        proof = blind(k, total["A"], total["B1"], total["B2"], total["C"], total["H"])
        public = [int.from_bytes(bytes(wa[i].tobytes()), "little") for i in range(1, n_public + 1)]
        ok = verify(k.verifying_key(), public, proof)
        self.last_timings = {
            "quotient": t1 - t0,
            "partials": t2 - t1,
            "shard_msm": [r[1] for r in results],
            "assemble_check": time.perf_counter() - t2,
        }
        if not ok:
            self._audit(parts, vecs)
            raise UnsatisfiedConstraint(
                "the witness does not satisfy the circuit (its proof does not verify "
                "against the key; every shard's partial result was rechecked and is right)"
            )
        return proof, public

    def _audit(self, parts, vecs):
        """Recompute each shard's partials from the key file: ShardFault
        naming the first shard and section whose returned partial is wrong."""
        bufs = self.key.section_buffers()
        for i, ranges in enumerate(self.plan):
            for name, (lo, hi) in ranges.items():
                want = _msm_from_file(
                    bufs[name], SECTIONS[name][1], lo, hi, vecs[name][lo:hi], name
                )
                if want != parts[i][name]:
                    raise ShardFault(
                        i,
                        name,
                        f"shard {i} (worker pid {self.info[i]['pid']}) returned a wrong {name} "
                        f"partial result for points {lo}..{hi}: the proof failed its self-check",
                    )


def _sum(section, points):
    # local import: loaded when a job runs (import zkats.cluster stays light)
    from .. import bn254

    add = bn254.g2_add if section == "B2" else bn254.g1_add
    acc = None
    for p in points:
        acc = p if acc is None else (acc if p is None else add(acc, p))
    return acc


def _msm_from_file(buf, limbs, lo, hi, scalars, name, chunk=1 << 16):
    """The MSM of points [lo, hi) of a key section buffer, in chunks (the
    section's bytes may sit at any alignment in the file)."""
    # local import: loaded when a job runs (import zkats.cluster stays light)
    import numpy as np

    from .. import bn254

    msm = bn254.msm_g2_array if name == "B2" else bn254.msm_g1_array
    raw = memoryview(buf).cast("B")
    acc = None
    for a in range(lo, hi, chunk):
        b = min(hi, a + chunk)
        pts = np.frombuffer(bytes(raw[a * limbs * 8 : b * limbs * 8]), dtype=np.uint64)
        part = msm(pts.reshape(-1, limbs), np.ascontiguousarray(scalars[a - lo : b - lo]))
        acc = _sum(name, [acc, part])
    return acc
