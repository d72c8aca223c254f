"""``zkats groth16 prove`` without click and without numpy.

The prove command is the one whose start-up matters most (rapidsnark
proves a 2^14 circuit in 0.22 s as a whole process; importing numpy and
click alone costs about 0.08 s).  :func:`run_prove` parses the command's
arguments by hand and runs :func:`prove_command`, the same function the
click command calls, so both give the same files, progress lines, timings
and one-line errors.  Whatever it does not recognise (``--help``, an
unknown option, a missing argument, an option given twice, a directory
where a file is expected, ``--``) it hands back to click by returning None,
so usage errors and help texts stay click's.

When the native prover executable is installed (``zkats/zkats-prove``,
built with the extension from ``native/bin/zkats_prove.c``) and no
``--r1cs`` is given, :func:`run_prove` replaces this process with it
(``exec``): the same proof files, progress lines and ``--json`` timings
without the interpreter's start-up and memory.  It validates the input
before printing anything and, on any bad input, hands the command back to
this module (``ZKATS_NATIVE_PROVE=0``) so the one-line error is the Python
prover's.  ``ZKATS_NATIVE_PROVE``: ``0`` never uses it, ``1`` requires it
(an error when it is not installed), unset or ``auto`` uses it when present.
"""

import gc
import os
import sys
import time

from ..errors import ZkatsError

#: the native prover executable, in the zkats package directory
NATIVE = "zkats-prove"

_FLAGS = {"--quiet": "quiet", "--json": "as_json", "--verbose": "verbose", "-v": "verbose"}


class Progress:
    """Stage reporter: progress lines on stderr, timings for ``--json``."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.timings = {}
        self._t0 = time.perf_counter()
        self._stage = None
        self._start = 0.0

    def _echo(self, text):
        sys.stderr.write(text)
        sys.stderr.flush()

    def stage(self, name):
        now = time.perf_counter()
        if self._stage is not None:
            self.timings[self._stage] = round(now - self._start, 6)
            if not self.quiet:
                self._echo(f" {now - self._start:.3f}s\n")
        self._stage, self._start = name, now
        if name is not None and not self.quiet:
            self._echo(f"[zkats] {name} ...")

    def done(self):
        self.stage(None)
        self.timings["total"] = round(time.perf_counter() - self._t0, 6)
        return self.timings


def prove_command(
    zkey_file,
    wtns_file,
    proof_file,
    public_file,
    r1cs_file=None,
    quiet=False,
    as_json=False,
    verbose=False,
    remote=None,
):
    """Prove from files and write the proof and the public signals
    (snarkjs' JSON); with ``as_json`` print the stage timings on stdout.
    ``verbose`` (snarkjs' -v) is accepted: the stage lines are shown unless
    ``quiet``.  ``remote``: a ``prove(zkey_path, witness)`` that proves
    elsewhere (the ``--cluster`` option, :mod:`zkats.cli._cluster`).
    Raises :class:`zkats.ZkatsError` for bad input."""
    # local import: the lean prove path loads the prover only when it proves
    from ..formats.snarkjs_json import write_proof, write_public
    from ..groth16.prover import prove_files

    progress = Progress(quiet)
    if remote is None:
        proof, public = prove_files(
            zkey_file,
            wtns_file,
            r1cs_path=r1cs_file,
            progress=progress.stage,
            timings=progress.timings,
        )
    else:
        # local import: the lean prove path loads the prover only when it proves
        from ..formats.wtns import read_wtns_buffer

        progress.stage("read witness")
        witness = read_wtns_buffer(wtns_file)
        progress.stage("prove on the cluster")
        proof, public = remote(zkey_file, witness)
    progress.stage("write")
    write_proof(proof_file, proof)
    write_public(public_file, public)
    timings = progress.done()
    if as_json:
        # local import: json loads re (about 15 ms of start-up in an installed
        # zkats) that the native prover's launch does not need
        import json

        sys.stdout.write(json.dumps({"timings_s": timings}) + "\n")
        sys.stdout.flush()


def parse(args):
    """The keyword arguments of :func:`prove_command` for ``args`` (what
    follows ``groth16 prove``), or None when click should handle them."""
    paths, opts = [], {"r1cs_file": None, "quiet": False, "as_json": False, "verbose": False}
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a in _FLAGS:
            opts[_FLAGS[a]] = True
        elif a == "--r1cs" or a.startswith("--r1cs="):
            if opts["r1cs_file"] is not None:
                return None
            if a == "--r1cs":
                if i >= len(args):
                    return None
                a, i = "--r1cs=" + args[i], i + 1
            value = a[len("--r1cs=") :]
            if not value or value.startswith("-"):
                return None
            opts["r1cs_file"] = value
        elif a.startswith("-") or not a:
            return None
        else:
            paths.append(a)
    if len(paths) > 4:
        return None
    # snarkjs' default names for the ones not given
    paths += ["circuit_final.zkey", "witness.wtns", "proof.json", "public.json"][len(paths) :]
    for p in paths + [opts["r1cs_file"]]:
        if p is not None and os.path.isdir(p):
            return None  # click: "... is a directory."
    return dict(zip(("zkey_file", "wtns_file", "proof_file", "public_file"), paths), **opts)


def native_prover():
    """The installed native prover executable's path, or None."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), NATIVE)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def _native_argv(kw):
    """The native prover's command line for ``kw`` (from :func:`parse`), or
    None when this process should prove: ``--r1cs`` (the R1CS is read, and
    names a failing constraint), an output path whose Python repr is not
    the path in quotes (the native prover writes OSError messages as
    ``'PATH'``), or no interpreter path to hand errors back to."""
    outputs = (kw["proof_file"], kw["public_file"])
    if kw["r1cs_file"] is not None or not sys.executable:
        return None
    if any(repr(p) != f"'{p}'" for p in outputs):
        return None
    flags = [f for f, on in (("--quiet", kw["quiet"]), ("--json", kw["as_json"])) if on]
    paths = [kw["zkey_file"], kw["wtns_file"], *outputs]
    return ["--python", sys.executable, *flags, *paths]


def run_prove(args):
    """Run ``zkats groth16 prove ARGS``; the exit status, or None to hand
    the arguments to click (or no return: the native prover replaced this
    process)."""
    kw = parse(args)
    if kw is None:
        return None
    mode = os.environ.get("ZKATS_NATIVE_PROVE", "auto")
    if mode != "0":
        exe, argv = native_prover(), _native_argv(kw)
        if mode == "1" and (exe is None or argv is None):
            what = "is not installed" if exe is None else "cannot run these arguments"
            sys.stderr.write(f"zkats: error: ZKATS_NATIVE_PROVE=1: the native prover {what}\n")
            return 1
        if exe is not None and argv is not None:
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(exe, [exe, *argv])
    # a one-shot process that makes few reference cycles: no collector passes
    # over the imported modules' objects (about 3% of a 2^13 proof's CPU time)
    gc.disable()
    # The blinding scalars come from secrets, which imports hmac and so
    # hashlib's OpenSSL module: libcrypto is 3.4 MiB of resident memory and
    # about 5 ms of loading for digests this process never computes
    # (a third of a 2^13 proof's peak).  Without it hmac and hashlib use
    # Python's built-in digests; secrets draws from os.urandom either way.
    sys.modules.setdefault("_hashlib", None)  # type: ignore[arg-type]

    try:
        prove_command(**kw)
    except (ZkatsError, OSError, MemoryError) as err:
        sys.stderr.write(f"zkats: error: {err}\n")
        sys.stderr.flush()
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")  # as click reports it
        return 1
    return 0
