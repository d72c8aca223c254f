"""``zkats bench``: time the native core beside independent references.

Prints one JSON object per line.  Every line carries the zkats measurement
(``seconds``: wall-clock seconds of one call, the best of ``repeat`` runs)
and, unless ``--no-reference``, the reference measured in the same run:

* ``"reference": "py_ecc"`` (``optimized_bn128``; a plain-Python-int NTT
  for ``ntt``) timed at a small size ``reference_log_n`` it finishes in
  reasonable time; never extrapolated.  ``ratio`` is then the per-element
  speed-up, (reference_seconds / 2^reference_log_n) / (seconds / 2^log_n),
  labelled by ``ratio_kind``.
* ``"reference": "ffjavascript"`` (snarkjs' field library, WebAssembly,
  through ``bench/ffjs_bench.mjs``; only when ``node`` and the npm peers are
  installed) timed on the very same inputs, so ``ratio`` is a plain time
  ratio; for MSM the two results are also compared (``agree``).

MSM inputs: random scalars below r and random points (multiples of the
generator); above 2^14 points the first 2^14 distinct points are repeated
(``distinct_points`` says how many), which does not change the work.
``load_avg`` is the 1-minute load average when the line was printed: on a
shared machine it explains noisy figures.
"""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from ..field import R, ints_to_limbs
from . import main

OPS = ("msm_g1", "msm_g2", "ntt", "pairing", "pairing4")
DEFAULT_LOG_N = {
    "msm_g1": list(range(10, 21, 2)),
    "msm_g2": list(range(10, 21, 2)),
    "ntt": list(range(10, 23, 2)),
    "pairing": [0],
    "pairing4": [2],
}
MAX_LOG_N = {"msm_g1": 24, "msm_g2": 22, "ntt": 28}
#: sizes at which the slow references are timed
PY_ECC_LOG_N = {"msm_g1": 4, "msm_g2": 2, "ntt": 10}
DISTINCT_LOG_N = 14
#: largest MSM the ffjavascript reference is asked to do
FFJS_MAX_LOG_N = {"msm_g1": 20, "msm_g2": 18}

ROOT = Path(__file__).resolve().parent.parent.parent
FFJS_SCRIPT = ROOT / "bench" / "ffjs_bench.mjs"


def _load():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover
        return None


def _best(fn, repeat):
    best = None
    result = None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best, result


def _ffjs_available():
    return (
        FFJS_SCRIPT.exists()
        and shutil.which("node") is not None
        and (ROOT / "node_modules" / "ffjavascript").is_dir()
    )


def _ffjs(args, timeout=1800):
    r = subprocess.run(
        ["node", str(FFJS_SCRIPT), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["node failed"])[-1][:300]}
    return json.loads(r.stdout.strip().splitlines()[-1])


# ---- inputs -----------------------------------------------------------------


def _random_scalars(n):
    return ints_to_limbs([secrets.randbelow(R) for _ in range(n)])


def _msm_inputs(op, log_n):
    # local import: a command loads what it needs when it runs (CLI start-up)
    import numpy as np

    # local import: a command loads what it needs when it runs (CLI start-up)
    from .. import bn254

    n = 1 << log_n
    distinct = min(n, 1 << DISTINCT_LOG_N)
    if op == "msm_g1":
        base = bn254.g1_fixed_base_array(bn254.G1_GEN, _random_scalars(distinct))
    else:
        base = bn254.g2_fixed_base_array(bn254.G2_GEN, _random_scalars(distinct))
    points = np.ascontiguousarray(np.resize(base, (n, base.shape[1])))
    return points, _random_scalars(n), distinct


# ---- references ---------------------------------------------------------------


def _py_ecc_msm(op, log_n):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from py_ecc import optimized_bn128 as ob

    n = 1 << log_n
    gen: Any = ob.G1 if op == "msm_g1" else ob.G2
    pts = [ob.multiply(gen, secrets.randbelow(ob.curve_order)) for _ in range(n)]
    scs = [secrets.randbelow(ob.curve_order) for _ in range(n)]

    def run():
        acc: Any = None
        for p, s in zip(pts, scs):
            t = ob.multiply(p, s)
            acc = t if acc is None else ob.add(acc, t)
        return ob.normalize(acc)

    return _best(run, 1)[0]


def _py_ntt(log_n):
    """Iterative radix-2 NTT with Python ints (reference timing only)."""

    n = 1 << log_n
    w = pow(5, (R - 1) >> log_n, R)
    vals = [secrets.randbelow(R) for _ in range(n)]

    def run():
        a = list(vals)
        j = 0
        for i in range(1, n):
            bit = n >> 1
            while j & bit:
                j ^= bit
                bit >>= 1
            j |= bit
            if i < j:
                a[i], a[j] = a[j], a[i]
        length = 2
        while length <= n:
            wl = pow(w, n // length, R)
            half = length // 2
            for s in range(0, n, length):
                wk = 1
                for k in range(half):
                    u, v = a[s + k], a[s + k + half] * wk % R
                    a[s + k] = (u + v) % R
                    a[s + k + half] = (u - v) % R
                    wk = wk * wl % R
            length <<= 1
        return a

    return _best(run, 1)[0]


def _py_ecc_pairing(k):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from py_ecc import optimized_bn128 as ob

    def run():
        acc = ob.FQ12.one()
        for _ in range(k):
            acc = acc * ob.pairing(ob.G2, ob.G1, final_exponentiate=False)
        return ob.final_exponentiate(acc)

    return _best(run, 1)[0]


# ---- zkats measurements -------------------------------------------------------


def _bench_msm(op, log_n, threads, repeat, reference, ref_cache, emit):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from .. import bn254

    pts, scs, distinct = _msm_inputs(op, log_n)
    fn = bn254.msm_g1_array if op == "msm_g1" else bn254.msm_g2_array
    seconds, result = _best(lambda: fn(pts, scs, threads=threads), repeat)
    line = {
        "op": op,
        "log_n": log_n,
        "threads": threads,
        "seconds": round(seconds, 6),
        "distinct_points": distinct,
    }
    if not reference:
        emit(line)
        return
    if op not in ref_cache:
        ref_cache[op] = _py_ecc_msm(op, PY_ECC_LOG_N[op])
    rs, rl = ref_cache[op], PY_ECC_LOG_N[op]
    emit(
        dict(
            line,
            reference="py_ecc",
            reference_log_n=rl,
            reference_seconds=round(rs, 6),
            ratio=round((rs / 2**rl) / (seconds / 2**log_n), 1),
            ratio_kind="per-element speed-up vs a smaller reference run",
        )
    )
    if _ffjs_available() and log_n > FFJS_MAX_LOG_N[op]:
        emit(
            dict(
                line,
                reference="ffjavascript",
                skipped=f"not run above 2^{FFJS_MAX_LOG_N[op]} (minutes per call)",
            )
        )
    elif _ffjs_available():
        with tempfile.TemporaryDirectory() as d:
            bp, sp = os.path.join(d, "bases.bin"), os.path.join(d, "scalars.bin")
            pts.tofile(bp)
            scs.tofile(sp)
            out = _ffjs([op, bp, sp])
        if "error" in out:
            emit(dict(line, reference="ffjavascript", error=out["error"]))
            return
        theirs = (
            None
            if out.get("result") is None
            else (
                tuple(int(v) for v in out["result"])
                if op == "msm_g1"
                else tuple(tuple(int(c) for c in v) for v in out["result"])
            )
        )
        emit(
            dict(
                line,
                reference="ffjavascript",
                reference_log_n=log_n,
                reference_seconds=round(out["seconds"], 6),
                reference_threads=out.get("threads"),
                ratio=round(out["seconds"] / seconds, 2),
                ratio_kind="time ratio, same inputs",
                agree=theirs == result,
            )
        )


def _bench_ntt(log_n, threads, repeat, reference, ref_cache, emit):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from .. import bn254

    n = 1 << log_n
    a = ints_to_limbs([secrets.randbelow(R) for _ in range(min(n, 1 << 16))])
    # local import: a command loads what it needs when it runs (CLI start-up)
    import numpy as np

    a = np.ascontiguousarray(np.resize(a, (n, 4)))  # canonical < r, valid Montgomery values
    seconds, _ = _best(lambda: bn254.ntt_array(a, threads=threads), repeat)
    line = {"op": "ntt", "log_n": log_n, "threads": threads, "seconds": round(seconds, 6)}
    if not reference:
        emit(line)
        return
    if "ntt" not in ref_cache:
        ref_cache["ntt"] = _py_ntt(PY_ECC_LOG_N["ntt"])
    rs, rl = ref_cache["ntt"], PY_ECC_LOG_N["ntt"]
    # per-element ratio normalised by log n (an NTT costs n log n / 2 butterflies)
    ratio = (rs / (2**rl * rl)) / (seconds / (2**log_n * max(1, log_n)))
    emit(
        dict(
            line,
            reference="python-int",
            reference_log_n=rl,
            reference_seconds=round(rs, 6),
            ratio=round(ratio, 1),
            ratio_kind="per-butterfly speed-up vs a smaller reference run",
        )
    )


def _bench_pairing(op, threads, repeat, reference, ref_cache, emit):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from .. import bn254

    k = 1 if op == "pairing" else 4
    line = {"op": op, "log_n": 0 if k == 1 else 2, "threads": 1}

    if k == 1:
        fn = lambda: bn254.pairing(bn254.G1_GEN, bn254.G2_GEN)  # noqa: E731
    else:
        ks = [secrets.randbelow(R) for _ in range(3)]
        pairs = [(bn254.g1_mul(bn254.G1_GEN, x), bn254.G2_GEN) for x in ks]
        pairs.append((bn254.g1_mul(bn254.G1_GEN, -sum(ks)), bn254.G2_GEN))
        if not bn254.pairing_check(pairs):
            raise click.ClickException("pairing_check returned False on a valid product")
        g1, g2 = bn254.pairs_to_arrays(pairs)  # time the check, not the conversions
        fn = lambda: bn254.pairing_check_array(g1, g2, validate=False)  # noqa: E731
    reps = 50
    fn()
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - t0) / reps)
    line["seconds"] = round(best, 6)
    if not reference:
        emit(line)
        return
    if op not in ref_cache:
        ref_cache[op] = _py_ecc_pairing(k)
    rs = ref_cache[op]
    emit(
        dict(
            line,
            reference="py_ecc",
            reference_log_n=line["log_n"],
            reference_seconds=round(rs, 6),
            ratio=round(rs / best, 1),
            ratio_kind="time ratio, same operation",
        )
    )
    if _ffjs_available():
        out = _ffjs([op, 20])
        if "error" in out:
            emit(dict(line, reference="ffjavascript", error=out["error"]))
        else:
            emit(
                dict(
                    line,
                    reference="ffjavascript",
                    reference_log_n=line["log_n"],
                    reference_seconds=round(out["seconds"], 6),
                    ratio=round(out["seconds"] / best, 2),
                    ratio_kind="time ratio, same operation",
                )
            )


@main.command()
@click.option(
    "--op",
    "ops",
    multiple=True,
    type=click.Choice(OPS),
    help="Operation to time (repeatable); default: all.",
)
@click.option(
    "--log-n",
    type=int,
    default=None,
    help="One size 2^LOG_N instead of the default range (MSM 10..20, NTT 10..22).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Worker threads (default: all cores).",
)
@click.option(
    "--repeat",
    type=click.IntRange(min=1),
    default=None,
    help="Runs per measurement, best kept (default 3 up to 2^14, else 1).",
)
@click.option("--no-reference", is_flag=True, help="Skip the py_ecc and ffjavascript references.")
def bench(ops, log_n, threads, repeat, no_reference):
    """Time MSM, NTT and pairings; one JSON object per line (see module doc).

    ratio > 1 means zkats is faster; ratio_kind says how it was computed."""
    threads = threads or max(1, os.cpu_count() or 1)
    ops = ops or OPS
    ref_cache: dict = {}

    def emit(obj):
        obj["load_avg"] = _load()
        click.echo(json.dumps(obj))

    for op in ops:
        if log_n is None or op in ("pairing", "pairing4"):
            sizes = DEFAULT_LOG_N[op]
        else:
            if not 0 <= log_n <= MAX_LOG_N[op]:
                raise click.BadParameter(f"--log-n for {op} must be in 0..{MAX_LOG_N[op]}")
            sizes = [log_n]
        for ln in sizes:
            rep = repeat or (3 if ln <= 14 else 1)
            if op in ("msm_g1", "msm_g2"):
                _bench_msm(op, ln, threads, rep, not no_reference, ref_cache, emit)
            elif op == "ntt":
                _bench_ntt(ln, threads, rep, not no_reference, ref_cache, emit)
            else:
                _bench_pairing(op, threads, rep, not no_reference, ref_cache, emit)
