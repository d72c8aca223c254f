"""The ``zkats`` command line.

:data:`main` is the click application (:mod:`zkats.cli._app`), built on
first access: importing this package does not import click.  :func:`run`
is the console entry point.  It hands ``zkats groth16 prove ...`` to the
lean prover front end (:mod:`zkats.cli._lean_prove`: no click, no numpy,
the same output and the same one-line errors), which gives back anything
it does not parse itself (``--help``, a usage error, an unknown option) to
click, so help texts and usage errors stay click's.  Every other command
goes to click directly.
"""

import os
import sys

from ..errors import ZkatsError


def __getattr__(name):
    if name == "main":
        # local import: click and the commands load when the CLI runs
        from ._app import main  # also binds zkats.cli.main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _lean_wtns(paths):
    """``zkats wtns calculate CIRCUIT.wasm INPUT.json OUT.wtns`` without
    click (its start-up is a visible part of a witness calculation): the
    same files and one-line errors as the click command; None hands the
    arguments to click (an option, a directory)."""

    if any(p.startswith("-") or not p or os.path.isdir(p) for p in paths):
        return None

    try:
        # local import: the console script's lean paths load only what they run (no click)
        from ..circom.wasm_witness import calculate_wtns
        from ..formats.jsonio import load_file

        calculate_wtns(paths[0], load_file(paths[1]), paths[2])
    except (ZkatsError, OSError, MemoryError) as err:
        sys.stderr.write(f"zkats: error: {err}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        return 1
    return 0


def run(argv=None):
    """Console entry point: exits with the command's status."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:2] == ["wtns", "calculate"] and len(args) == 5 and args[2].endswith(".wasm"):
        code = _lean_wtns(args[2:])
        if code is not None:
            sys.exit(code)
    if args[:2] == ["groth16", "prove"]:
        # local import: click and the commands load when the CLI runs
        from ._lean_prove import run_prove

        code = run_prove(args[2:])
        if code is not None:
            sys.exit(code)
    # local import: click and the commands load when the CLI runs
    from ._app import _quiet_broken_pipe, main

    try:
        return main() if argv is None else main(args)
    except BrokenPipeError:
        _quiet_broken_pipe()
