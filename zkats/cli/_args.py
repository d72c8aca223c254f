"""Argument declarations shared by the snarkjs-compatible verbs."""

import click


def default_file(name, default):
    """An optional file argument that, like snarkjs', falls back to its
    default file name (shown as ``[default]`` in the usage line)."""
    return click.argument(
        name,
        metavar=f"[{default}]",
        default=default,
        required=False,
        type=click.Path(dir_okay=False),
    )
