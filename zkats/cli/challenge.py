"""``zkats powersoftau challenge contribute`` and ``powersoftau import
response``: a phase-1 contribution made away from the .ptau file, through
the challenge/response files of the original ceremony tools (snarkjs'
verbs, argument order and default file names; ``powersoftau export
challenge`` is in :mod:`.inspect`)."""

import os

import click

from ..errors import InputError
from ._groups import powersoftau
from .ceremony import _hex, _opt, _Progress, _quiet


@powersoftau.group("challenge")
def ptau_challenge():
    """Contribute to a challenge file (`challenge contribute`)."""


@ptau_challenge.command("contribute")
@click.argument("curve", metavar="bn128")
@click.argument("challenge_file", metavar="CHALLENGE", type=click.Path(dir_okay=False))
@click.argument("response_file", metavar="[RESPONSE]", required=False)
@click.option(
    "--entropy", "-e", default=None, help="Extra entropy text (mixed with 64 bytes from the OS)."
)
@_quiet
def ptau_challenge_contribute(curve, challenge_file, response_file, entropy, quiet):
    """Write RESPONSE (default: CHALLENGE with the extension .response): the
    challenge's accumulator times a fresh secret contribution (toxic waste
    from `secrets`, never stored), compressed, and the public key."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..groth16.challenge import contribute_challenge

    if curve not in ("bn128", "bn254", "alt_bn128"):
        raise InputError(f"curve {curve!r}: only bn128 is supported")
    if response_file is None:  # snarkjs' changeExt(challenge, "response")
        response_file = os.path.splitext(challenge_file)[0] + ".response"
    ch, resp = contribute_challenge(
        challenge_file, response_file, entropy=_opt(entropy), progress=_Progress(quiet)
    )
    click.echo(f"Current Challenge Hash: {_hex(ch)}")
    click.echo(f"Contribution Response Hash: {_hex(resp)}")


@powersoftau.group("import")
def ptau_import():
    """Import a response file (`import response`)."""


@ptau_import.command("response")
@click.argument("old_file", metavar="OLD.ptau", type=click.Path(dir_okay=False))
@click.argument("response_file", metavar="RESPONSE", type=click.Path(dir_okay=False))
@click.argument("new_file", metavar="NEW.ptau", type=click.Path(dir_okay=False))
@click.option("--name", "-n", default=None, help="Contributor name recorded in the file.")
@click.option(
    "--nocheck",
    "-nocheck",
    is_flag=True,
    help="Skip verifying the imported contribution (the response is still checked "
    "against the challenge and decoded point by point).",
)
@_quiet
def ptau_import_response(old_file, response_file, new_file, name, nocheck, quiet):
    """Add the contribution in RESPONSE (made with `challenge contribute` on
    the challenge exported from OLD.ptau) and write NEW.ptau.  A response
    to another challenge, of another power, cut short or failing
    verification is refused and nothing is written."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.ptau import read_ptau, write_ptau
    from ..groth16.challenge import import_response

    prog = _Progress(quiet)
    pt = read_ptau(old_file)
    new, resp = import_response(
        pt, response_file, name=_opt(name), check=not nocheck, progress=prog
    )
    tmp = f"{new_file}.tmp{os.getpid()}"
    try:
        write_ptau(tmp, new)
        os.replace(tmp, new_file)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    click.echo(f"Contribution Response Hash imported: {_hex(resp)}")
    click.echo(f"Next Challenge Hash: {_hex(new.contributions[-1].next_challenge)}")
