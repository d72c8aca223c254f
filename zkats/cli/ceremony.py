"""``zkats powersoftau new|contribute|beacon|prepare phase2|verify``,
``zkats groth16 setup`` and ``zkats zkey contribute|beacon|verify|export
verificationkey`` (snarkjs' verbs and argument order).

Progress goes to stderr (``--quiet`` silences it).  Secrets never leave
the library calls; only hashes and public keys are printed.
"""

import time

import click

from ..errors import InputError, VerificationError
from ._args import default_file
from ._groups import export, groth16, powersoftau, zkey


class _Progress:
    def __init__(self, quiet):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, msg):
        if not self.quiet:
            click.echo(f"[zkats {time.perf_counter() - self.t0:7.2f}s] {msg}", err=True)


def _hex(h):
    return h.hex()


def _opt(v):
    """snarkjs users write `-n=NAME` / `-e=TEXT`: drop the '=' click keeps."""
    return v[1:] if isinstance(v, str) and v.startswith("=") else v


def _beacon_hash(value):
    try:
        b = bytes.fromhex(value[2:] if value.startswith("0x") else value)
    except ValueError:
        raise InputError(f"beacon hash {value!r} is not hexadecimal") from None
    if not 0 < len(b) < 256:
        raise InputError("beacon hash must be 1..255 bytes")
    return b


def _iters(value):
    if not 10 <= value <= 63:
        raise InputError(f"numIterationsExp {value} must be between 10 and 63")
    return value


def _quiet(fn):
    """--quiet, plus snarkjs' -v/--verbose accepted (and ignored) so that
    snarkjs command lines work unchanged."""
    fn = click.option("--verbose", "-v", is_flag=True, hidden=True, expose_value=False)(fn)
    return click.option("--quiet", "-q", is_flag=True, help="No progress output on stderr.")(fn)


# --- powersoftau ---------------------------------------------------------------


@powersoftau.command("new")
@click.argument("curve", metavar="bn128")
@click.argument("power", type=int)
@click.argument("out", metavar="[powersOfTau<POWER>_0000.ptau]", required=False)
@_quiet
def ptau_new(curve, power, out, quiet):
    """Start a new powers-of-tau ceremony of 2^POWER."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.ptau import MAX_POWER, write_ptau
    from ..groth16 import ceremony

    if curve not in ("bn128", "bn254", "alt_bn128"):
        raise InputError(f"curve {curve!r}: only bn128 is supported")
    if not 1 <= power <= MAX_POWER:
        raise InputError(f"power {power} must be between 1 and {MAX_POWER}")
    if out is None:  # snarkjs' default name
        out = f"powersOfTau{power}_0000.ptau"
    write_ptau(out, ceremony.new_accumulator(power))
    _Progress(quiet)(f"first contribution hash {_hex(ceremony.first_challenge_hash(power))}")


@powersoftau.command("contribute")
@click.argument("inp", metavar="IN.ptau", type=click.Path(dir_okay=False))
@click.argument("out", metavar="OUT.ptau", type=click.Path(dir_okay=False))
@click.option("--name", "-n", default=None, help="Contributor name recorded in the file.")
@click.option(
    "--entropy", "-e", default=None, help="Extra entropy text (mixed with 64 bytes from the OS)."
)
@_quiet
def ptau_contribute(inp, out, name, entropy, quiet):
    """Add a secret contribution (toxic waste from `secrets`, never stored)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.ptau import read_ptau, write_ptau
    from ..groth16 import ceremony

    prog = _Progress(quiet)
    pt = read_ptau(inp)
    if pt.prepared:
        prog("warning: the input has phase-2 sections; prepare phase2 again after contributing")
    new, resp = ceremony.contribute(pt, name=_opt(name), entropy=_opt(entropy), progress=prog)
    write_ptau(out, new)
    click.echo(f"Contribution response hash: {_hex(resp)}")


@powersoftau.command("beacon")
@click.argument("inp", metavar="IN.ptau", type=click.Path(dir_okay=False))
@click.argument("out", metavar="OUT.ptau", type=click.Path(dir_okay=False))
@click.argument("beacon_hash", metavar="BEACONHASH")
@click.argument("num_iterations_exp", metavar="NUMITERATIONSEXP", type=int)
@click.option("--name", "-n", default=None)
@_quiet
def ptau_beacon(inp, out, beacon_hash, num_iterations_exp, name, quiet):
    """Apply a public beacon (reproducible final contribution)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.ptau import read_ptau, write_ptau
    from ..groth16 import ceremony

    prog = _Progress(quiet)
    new, resp = ceremony.beacon(
        read_ptau(inp),
        _beacon_hash(beacon_hash),
        _iters(num_iterations_exp),
        name=_opt(name),
        progress=prog,
    )
    write_ptau(out, new)
    click.echo(f"Contribution response hash: {_hex(resp)}")


def _prepare(inp, out, quiet):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.ptau import read_ptau, write_ptau
    from ..groth16 import ceremony

    prog = _Progress(quiet)
    prog("reading")
    pt = read_ptau(inp)
    new = ceremony.prepare_phase2(pt, progress=prog)
    prog("writing")
    write_ptau(out, new)


@powersoftau.group("prepare")
def ptau_prepare():
    """Phase-2 preparation (`prepare phase2 IN OUT`)."""


@ptau_prepare.command("phase2")
@click.argument("inp", metavar="IN.ptau", type=click.Path(dir_okay=False))
@click.argument("out", metavar="OUT.ptau", type=click.Path(dir_okay=False))
@_quiet
def ptau_prepare_phase2(inp, out, quiet):
    """Compute the Lagrange-basis sections a circuit setup needs."""
    _prepare(inp, out, quiet)


@powersoftau.command("preparephase2")
@click.argument("inp", metavar="IN.ptau", type=click.Path(dir_okay=False))
@click.argument("out", metavar="OUT.ptau", type=click.Path(dir_okay=False))
@_quiet
def ptau_preparephase2(inp, out, quiet):
    """Alias of `prepare phase2` (snarkjs' short form)."""
    _prepare(inp, out, quiet)


@powersoftau.command("verify")
@click.argument("inp", metavar="IN.ptau", type=click.Path(dir_okay=False))
@_quiet
def ptau_verify(inp, quiet):
    """Verify every contribution and section of a .ptau file."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.ptau import read_ptau
    from ..groth16 import ceremony

    prog = _Progress(quiet)
    pt = read_ptau(inp)
    for line in ceremony.verify(pt, progress=prog):
        click.echo(line)
    click.echo("Powers of Tau OK")


# --- groth16 setup ---------------------------------------------------------------


@groth16.command("setup")
@default_file("r1cs_file", "circuit.r1cs")
@default_file("ptau_file", "powersoftau.ptau")
@default_file("zkey_file", "circuit_0000.zkey")
@_quiet
def groth16_setup(r1cs_file, ptau_file, zkey_file, quiet):
    """Circuit-specific setup from a prepared .ptau (delta = 1: contribute next)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..groth16 import generator

    prog = _Progress(quiet)
    cs = generator.setup(r1cs_file, ptau_file, zkey_file, progress=prog)
    click.echo(f"Circuit hash: {_hex(cs)}")


# --- zkey -----------------------------------------------------------------------


@zkey.command("new")
@default_file("r1cs_file", "circuit.r1cs")
@default_file("ptau_file", "powersoftau.ptau")
@default_file("zkey_file", "circuit_0000.zkey")
@_quiet
def zkey_new(r1cs_file, ptau_file, zkey_file, quiet):
    """Same as `groth16 setup`."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..groth16 import generator

    cs = generator.setup(r1cs_file, ptau_file, zkey_file, progress=_Progress(quiet))
    click.echo(f"Circuit hash: {_hex(cs)}")


@zkey.command("contribute")
@click.argument("inp", metavar="IN.zkey", type=click.Path(dir_okay=False))
@click.argument("out", metavar="OUT.zkey", type=click.Path(dir_okay=False))
@click.option("--name", "-n", default=None)
@click.option(
    "--entropy", "-e", default=None, help="Extra entropy text (mixed with 64 bytes from the OS)."
)
@_quiet
def zkey_contribute(inp, out, name, entropy, quiet):
    """Add a secret phase-2 (delta) contribution."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.zkey import read_zkey, write_zkey
    from ..groth16 import phase2

    new, h = phase2.contribute(read_zkey(inp, check="full"), name=_opt(name), entropy=_opt(entropy))
    write_zkey(out, new)
    click.echo(f"Contribution hash: {_hex(h)}")


@zkey.command("beacon")
@click.argument("inp", metavar="IN.zkey", type=click.Path(dir_okay=False))
@click.argument("out", metavar="OUT.zkey", type=click.Path(dir_okay=False))
@click.argument("beacon_hash", metavar="BEACONHASH")
@click.argument("num_iterations_exp", metavar="NUMITERATIONSEXP", type=int)
@click.option("--name", "-n", default=None)
@_quiet
def zkey_beacon(inp, out, beacon_hash, num_iterations_exp, name, quiet):
    """Apply a public beacon as the last phase-2 contribution."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.zkey import read_zkey, write_zkey
    from ..groth16 import phase2

    new, h = phase2.beacon(
        read_zkey(inp, check="full"),
        _beacon_hash(beacon_hash),
        _iters(num_iterations_exp),
        name=_opt(name),
    )
    write_zkey(out, new)
    click.echo(f"Contribution hash: {_hex(h)}")


_ALLOW_NO_CONTRIB = click.option(
    "--allow-no-contributions",
    is_flag=True,
    help="Accept a key whose delta is still the generator (tests only: such a key is insecure).",
)


def _verify_from_r1cs(r1cs_file, ptau_file, zkey_file, allow_no_contributions):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..groth16 import phase2

    for line in phase2.verify(
        r1cs_file, ptau_file, zkey_file, allow_no_contributions=allow_no_contributions
    ):
        click.echo(line)
    click.echo("ZKey OK")


def _verify_from_init(init_file, ptau_file, zkey_file, allow_no_contributions):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.points import g1_from_lem
    from ..formats.ptau import read_ptau
    from ..formats.zkey import read_zkey
    from ..groth16 import generator, phase2

    init = read_zkey(init_file, check="full")
    if init.contributions:
        raise VerificationError(
            f"{init_file}: has {len(init.contributions)} contributions; the initial key "
            "(groth16 setup's output) has none"
        )
    pt = read_ptau(ptau_file, check="lazy")
    if not pt.prepared or init.power > pt.power:
        raise VerificationError(f"{ptau_file}: not a prepared ptau big enough for {init_file}")
    generator.check_used_points(pt, init.power)

    def g1(arr):
        return g1_from_lem(arr[0].astype("<u8").tobytes())

    if (init.alpha_1, init.beta_1) != (g1(pt.alpha_tau_g1), g1(pt.beta_tau_g1)):
        raise VerificationError(f"{init_file}: alpha/beta are not {ptau_file}'s")
    zk = read_zkey(zkey_file, check="full")
    for line in phase2.verify_from_init(init, zk, allow_no_contributions):
        click.echo(line)
    click.echo("ZKey OK")


@zkey.command("verify")
@click.argument(
    "args", nargs=-1, metavar="[r1cs|init] [circuit.r1cs] [powersoftau.ptau] [circuit_final.zkey]"
)
@_ALLOW_NO_CONTRIB
@_quiet
def zkey_verify(args, allow_no_contributions, quiet):
    """Check a .zkey against its circuit and ptau, and every contribution
    (`zkey verify init INIT.zkey POT.ptau FINAL.zkey`: against the initial
    key instead of the circuit)."""
    mode = "r1cs"
    if args and args[0] in ("r1cs", "init"):
        mode, args = args[0], args[1:]
    if len(args) > 3:
        raise click.UsageError(f"too many arguments: {' '.join(args[3:])}")
    first = "circuit_0000.zkey" if mode == "init" else "circuit.r1cs"
    defaults = (first, "powersoftau.ptau", "circuit_final.zkey")
    first_file, ptau_file, zkey_file = list(args) + list(defaults[len(args) :])
    if mode == "init":
        _verify_from_init(first_file, ptau_file, zkey_file, allow_no_contributions)
    else:
        _verify_from_r1cs(first_file, ptau_file, zkey_file, allow_no_contributions)


@zkey.command("verifyfromr1cs")
@click.argument("r1cs_file", metavar="[circuit.r1cs]", default="circuit.r1cs", required=False)
@click.argument(
    "ptau_file", metavar="[powersoftau.ptau]", default="powersoftau.ptau", required=False
)
@click.argument(
    "zkey_file", metavar="[circuit_final.zkey]", default="circuit_final.zkey", required=False
)
@_ALLOW_NO_CONTRIB
@_quiet
def zkey_verifyfromr1cs(r1cs_file, ptau_file, zkey_file, allow_no_contributions, quiet):
    """Same as `zkey verify r1cs`."""
    _verify_from_r1cs(r1cs_file, ptau_file, zkey_file, allow_no_contributions)


@zkey.command("verifyfrominit")
@click.argument(
    "init_file", metavar="[circuit_0000.zkey]", default="circuit_0000.zkey", required=False
)
@click.argument(
    "ptau_file", metavar="[powersoftau.ptau]", default="powersoftau.ptau", required=False
)
@click.argument(
    "zkey_file", metavar="[circuit_final.zkey]", default="circuit_final.zkey", required=False
)
@_ALLOW_NO_CONTRIB
@_quiet
def zkey_verifyfrominit(init_file, ptau_file, zkey_file, allow_no_contributions, quiet):
    """Check a .zkey against the initial key (groth16 setup's output): the
    same checks as `zkey verify` without recomputing the key from the .r1cs."""
    _verify_from_init(init_file, ptau_file, zkey_file, allow_no_contributions)


@export.command("verificationkey")
@default_file("zkey_file", "circuit_final.zkey")
@default_file("vk_file", "circuit_vk.json")
def zkey_export_vk(zkey_file, vk_file):
    """Write snarkjs' verification key JSON for a .zkey (snarkjs' default
    names: circuit_final.zkey, circuit_vk.json)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..formats.zkey import read_zkey
    from ..groth16 import phase2

    phase2.export_verification_key(read_zkey(zkey_file), vk_file)


__all__ = ["VerificationError"]
