"""The ``zkats`` command line: thin click wrappers over the library.

Each command group lives in its own module of this package and registers
itself on :data:`main`.  A :class:`zkats.ZkatsError` is printed on one line
to stderr with exit status 1 (the traceback only with ``--debug``).
"""
import sys

import click

from .. import __version__
from ..errors import ZkatsError


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
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
    import importlib
    import pkgutil

    importlib.import_module(f"{__name__}._groups")
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")


_register()
