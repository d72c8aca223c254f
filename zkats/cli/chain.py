"""``zkats chain``: the escrow on a local py-evm chain kept in a directory
(see zkats.chain.journal for why and how: every command replays the
journal).  Needs the ``evm`` extra and the npm peers (solcjs, circomlibjs)."""

import tempfile
from pathlib import Path

import click

from ..errors import InputError
from . import main


@main.group("chain")
def chain_group():
    """The on-chain escrow on a local py-evm chain (a journal directory)."""


def _proof_args(proof_path, public_path, kind):
    """The escrow's struct for a proof: PROOF.json and PUBLIC.json (snarkjs'
    JSON), or, without PUBLIC, a batch file holding one ``kind`` item (what
    ``zkats deposit`` / ``zkats withdraw`` write)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.escrow import one

    if public_path is None:
        from ..venue.batch import load

        items = load(proof_path).items
        if len(items) != 1 or items[0].kind != kind:
            got = ", ".join(i.kind for i in items) or "nothing"
            raise InputError(f"{proof_path}: a batch with one {kind} expected, it holds {got}")
        bundle = items[0].proofs[kind]
        return one(bundle.proof, bundle.public)
    from ..formats.snarkjs_json import read_proof, read_public

    return one(read_proof(proof_path), read_public(public_path))


def _done(esc, rc, what):
    click.echo(f"{what}: ok, gas {rc.gasUsed}, root {esc.last_root()}")


@chain_group.command("deploy")
@click.argument("chain_dir", type=click.Path(file_okay=False))
@click.option(
    "--keys",
    "keys_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Directory with NAME.vkey.json (or NAME.zkey) for deposit, withdraw, match, transition.",
)
@click.option(
    "--force-timeout",
    default=7 * 86400,
    show_default=True,
    help="Seconds between an exit request and a forced withdrawal.",
)
def deploy(chain_dir, keys_dir, force_timeout):
    """Deploy token, Poseidon, verifiers and escrow into CHAIN_DIR."""

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.devkeys import ESCROW_CIRCUITS
    from ..chain.journal import ChainDir

    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ESCROW_CIRCUITS:
            vk = Path(keys_dir) / f"{name}.vkey.json"
            zk = Path(keys_dir) / f"{name}.zkey"
            if vk.exists():
                files[name] = vk
            elif zk.exists():
                # local import: a command loads what it needs when it runs (CLI start-up)
                from ..formats.snarkjs_json import write_verification_key
                from ..formats.zkey import read_zkey

                files[name] = Path(tmp) / f"{name}.vkey.json"
                write_verification_key(files[name], read_zkey(zk).verifying_key())
            else:
                raise InputError(f"{keys_dir}: no {name}.vkey.json or {name}.zkey")
        d = ChainDir.create(chain_dir, files, force_timeout)
    esc, _ = d.open()
    click.echo(f"escrow {esc.contract.address}, token {esc.token.address}, operator {esc.operator}")


@chain_group.command("epoch")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("epoch_id", type=int)
@click.argument("epoch_hash", type=int)
def epoch(chain_dir, epoch_id, epoch_hash):
    """Publish oracle epoch EPOCH_ID with data hash EPOCH_HASH (operator)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.journal import ChainDir

    esc, rc = ChainDir(chain_dir).run("epoch", [epoch_id, epoch_hash])
    _done(esc, rc, "epoch")


@chain_group.command("deposit")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("proof", metavar="PROOF|BATCH", type=click.Path(exists=True, dir_okay=False))
@click.argument("public", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--from",
    "sender",
    default=1,
    show_default=True,
    help="Index of the paying eth-tester account (test tokens are minted to it).",
)
def deposit(chain_dir, proof, public, sender):
    """Deposit with a deposit PROOF/PUBLIC (snarkjs JSON), or the BATCH file
    `zkats deposit -o` wrote."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.journal import ChainDir

    d = ChainDir(chain_dir)
    args = _proof_args(proof, public, "deposit")
    d.run("mint", [args[1][5]], sender=sender)
    esc, rc = d.run("deposit", [args], sender=sender)
    _done(esc, rc, "deposit")


@chain_group.command("settle")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("batch", type=click.Path(exists=True, dir_okay=False))
def settle(chain_dir, batch):
    """Mirror a settlement-service BATCH (JSON) to the escrow (operator)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.escrow import mirror_batch
    from ..chain.journal import ChainDir
    from ..venue.batch import load

    class _Rec:  # capture the settle arguments for the journal
        def __init__(self):
            self.args: list = []  # [trades, exits] once mirror_batch called settle

        def settle(self, trades, exits):
            self.args = [list(trades), list(exits)]

    rec = _Rec()
    mirror_batch(rec, load(batch))
    esc, rc = ChainDir(chain_dir).run("settle", rec.args)
    _done(esc, rc, f"settle ({len(rec.args[0])} trades, {len(rec.args[1])} withdrawals)")


@chain_group.command("withdraw")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("proof", metavar="PROOF|BATCH", type=click.Path(exists=True, dir_okay=False))
@click.argument("public", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--forced",
    is_flag=True,
    help="Escape hatch: request the exit, or (after the timeout) withdraw without the operator.",
)
@click.option(
    "--from",
    "sender",
    default=1,
    show_default=True,
    help="eth-tester account index sending a forced exit.",
)
@click.option("--advance", default=0, help="Move the dev chain clock forward (seconds) first.")
def withdraw(chain_dir, proof, public, forced, sender, advance):
    """Withdraw with a withdraw PROOF/PUBLIC (or the BATCH file `zkats
    withdraw -o` wrote): through the operator, or
    --forced (first call requests the exit, a later one after the timeout
    pays out and freezes the escrow)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.journal import ChainDir

    d = ChainDir(chain_dir)
    args = _proof_args(proof, public, "withdraw")
    if not forced:
        esc, rc = d.run("settle", [[], [args]], advance=advance)
        return _done(esc, rc, "withdraw")
    esc, _ = d.open()
    f = esc.contract.functions
    nullifier = args[1][1]
    if not f.frozen().call() and f.exitRequested(nullifier).call() == 0:
        esc, rc = d.run("request_exit", [nullifier], sender=sender, advance=advance)
        return _done(
            esc,
            rc,
            f"exit requested (forced withdrawal possible after {f.forceTimeout().call()} s)",
        )
    esc, rc = d.run("forced_withdraw", [args], sender=sender, advance=advance)
    _done(esc, rc, "forced withdrawal (escrow frozen)")


@chain_group.command("status")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
def status(chain_dir):
    """Root, leaves, escrow balance, epoch and frozen flag."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.journal import ChainDir

    esc, data = ChainDir(chain_dir).open()
    f = esc.contract.functions
    click.echo(
        f"escrow {esc.contract.address}: balance {esc.balance(esc.contract.address)}, "
        f"leaves {f.nextIndex().call()}, root {esc.last_root()}, "
        f"epoch {f.epochId().call()}, frozen {f.frozen().call()}, "
        f"{len(data['txs'])} transactions"
    )
