"""The click application behind ``zkats`` (:data:`main`, reached as
``zkats.cli.main``): thin click wrappers over the library.

Each command group lives in its own module of this package and registers
itself on :data:`main`.  A :class:`zkats.ZkatsError` is printed on one line
to stderr with exit status 1 (the traceback only with ``--debug``).

The command modules are imported on demand: building their click commands
costs tens of milliseconds, a large part of a ``zkats groth16 verify`` run.
A lookup that misses imports every module (so every command is always
found); ``--help`` and completion list everything after importing all.
``_HINTS`` names the one module to try first for a few hot commands: it
only saves time, a stale hint never hides a command.
"""

import importlib
import os
import pkgutil
import sys

import click

from .. import __version__
from ..errors import ZkatsError

_PACKAGE = __name__.rpartition(".")[0]  # zkats.cli


#: "group command" -> the module that defines it (tried before all others)
_HINTS = {
    "groth16 verify": "prove",
    "groth16 prove": "prove",
    "groth16 setup": "ceremony",
    **{
        f"powersoftau {c}": "ceremony"
        for c in ("new", "contribute", "beacon", "prepare", "preparephase2", "verify")
    },
    **{
        f"zkey {c}": "ceremony"
        for c in ("new", "contribute", "beacon", "verify", "verifyfromr1cs", "verifyfrominit")
    },
    "export verificationkey": "ceremony",
    "groth16 fullprove": "circom",
    "wtns calculate": "circuit",
    "wtns check": "circuit",
    "r1cs info": "circuit",
    "wtns debug": "inspect",
    "wtns export": "inspect",
    "r1cs print": "inspect",
    "r1cs export": "inspect",
    "export json": "inspect",
    "zkats info": "inspect",
    "powersoftau truncate": "inspect",
    "powersoftau export": "inspect",
    "powersoftau challenge": "challenge",
    "powersoftau import": "challenge",
}
_loaded: set[str] = set()
_all_loaded = False


def _load(name):
    if name not in _loaded:
        importlib.import_module(f"{_PACKAGE}.{name}")
        _loaded.add(name)


def _load_all():
    global _all_loaded

    if not _all_loaded:
        for mod in pkgutil.iter_modules(sys.modules[_PACKAGE].__path__):
            if not mod.name.startswith("_"):
                _load(mod.name)
        _all_loaded = True


class _LazyGroup(click.Group):
    """A group whose commands may live in command modules not imported yet."""

    def get_command(self, ctx, cmd_name):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None and not _all_loaded:
            hint = _HINTS.get(f"{self.name} {cmd_name}")
            if hint is not None and hint not in _loaded:
                _load(hint)
                cmd = super().get_command(ctx, cmd_name)
            if cmd is None:
                _load_all()
                cmd = super().get_command(ctx, cmd_name)
        return cmd

    def list_commands(self, ctx):
        _load_all()
        return super().list_commands(ctx)


_LazyGroup.group_class = _LazyGroup


def _quiet_broken_pipe():
    """The reader of our output went away (``zkats circuit list | head -1``):
    stop quietly with status 0, as the shell's own tools do.  stdout is
    pointed at /dev/null so the interpreter's final flush cannot fail."""

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(0)


def size_summary():
    """One line per venue size (parameters from :mod:`zkats.domain.units`),
    the running one first: the top-level help's epilog."""
    # local import: read when the help is shown (an unknown ZKATS_VENUE_SIZE is a one-line error)
    from ..domain import units
    from ..size import DEFAULT

    def one(name):
        p = units.SIZES[name]
        default = " (the default)" if name == DEFAULT else ""
        return (
            f"{name}{default}: {p['N_SLOTS']} position slots on up to {p['N_UNDERLYINGS']} "
            f"underlyings, {units.EPOCH_ARITY ** p['EPOCH_LEVELS']} instruments per oracle epoch, "
            f"2^{p['TREE_DEPTH']} notes"
        )

    others = [n for n in units.SIZES if n != units.SIZE]
    return [
        f"Venue size (ZKATS_VENUE_SIZE): {one(units.SIZE)}.",
        *(f"Other size: {one(n)}." for n in others),
    ]


class _Group(_LazyGroup):
    def format_epilog(self, ctx, formatter):
        try:
            lines = size_summary()
        except ZkatsError as err:
            lines = [str(err)]
        for line in lines:
            formatter.write_paragraph()
            formatter.write_text(line)
        super().format_epilog(ctx, formatter)

    def main(self, *args, **kwargs):
        try:
            return super().main(*args, **kwargs)
        except SystemExit as exc:
            # click turns a broken pipe outside invoke (help texts, usage
            # errors) into exit 1 after wrapping stdout: make it quiet too
            if exc.code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
                _quiet_broken_pipe()
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except ZkatsError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"zkats: error: {err}", err=True)
            sys.exit(1)
        except (OSError, MemoryError) as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"zkats: error: {err}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="zkats")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx, debug):
    """zkats: private derivatives settlement with Groth16 over BN254."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register():
    vars(sys.modules[_PACKAGE])["main"] = main  # before the command modules' `from . import main`
    importlib.import_module(f"{_PACKAGE}._groups")


_register()
