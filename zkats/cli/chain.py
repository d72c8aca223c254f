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
    """The escrow's arguments for a proof, ``(proof words, public inputs,
    carried words)``: PROOF.json and PUBLIC.json (snarkjs' JSON: the public
    inputs, so no ciphertext is carried), or, without PUBLIC, a batch file
    holding one ``kind`` item (what ``zkats deposit`` / ``zkats withdraw``
    write: the statement's record, its ciphertext included)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.escrow import one

    if public_path is None:
        from ..venue.batch import load

        items = load(proof_path).items
        if len(items) != 1 or items[0].kind != kind:
            got = ", ".join(i.kind for i in items) or "nothing"
            raise InputError(f"{proof_path}: a batch with one {kind} expected, it holds {got}")
        bundle = items[0].proofs[kind]
        return one(kind, bundle.proof, bundle.public)
    from ..formats.snarkjs_json import read_proof, read_public

    return one(kind, read_proof(proof_path), read_public(public_path))


def _done(esc, rc, what):
    click.echo(f"{what}: ok, gas {rc.gasUsed}, root {esc.last_root()}")


@chain_group.command("deploy")
@click.argument("chain_dir", type=click.Path(file_okay=False))
@click.option(
    "--keys",
    "keys_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Directory with NAME.vkey.json (or NAME.zkey) for deposit, withdraw, match, "
    "transition, cancel; insert.zkey and oracle_epoch.zkey (proved by the chain's own "
    "calls) are made by the development setup when absent.",
)
@click.option(
    "--force-timeout",
    default=7 * 86400,
    show_default=True,
    help="Seconds between an exit request and its completion without the operator.",
)
@click.option(
    "--oracle",
    "oracle_file",
    type=click.Path(exists=True, dir_okay=False),
    help="The oracle's public key (JSON [x, y]); default: the development oracle.",
)
def deploy(chain_dir, keys_dir, force_timeout, oracle_file):
    """Deploy token, batch verifier and escrow into CHAIN_DIR."""

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.devkeys import ESCROW_CIRCUITS, DevKeys
    from ..chain.escrow import dev_oracle
    from ..chain.journal import PROVED, ChainDir
    from ..domain.oracle_key import parse_public_key
    from ..formats.snarkjs_json import write_verification_key
    from ..formats.zkey import read_zkey

    if oracle_file:
        import json

        try:
            oracle = parse_public_key(json.loads(Path(oracle_file).read_text()))
        except ValueError as err:
            raise InputError(f"{oracle_file}: not JSON ({err})") from None
    else:
        oracle = dev_oracle().pub
    files, zkeys = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in PROVED:
            zk = Path(keys_dir) / f"{name}.zkey"
            zkeys[name] = zk if zk.exists() else DevKeys(circuits=(name,)).path(name)
        for name in ESCROW_CIRCUITS:
            vk = Path(keys_dir) / f"{name}.vkey.json"
            zk = Path(keys_dir) / f"{name}.zkey"
            if name in zkeys:
                files[name] = Path(tmp) / f"{name}.vkey.json"
                write_verification_key(files[name], read_zkey(zkeys[name]).verifying_key())
            elif vk.exists():
                files[name] = vk
            elif zk.exists():
                files[name] = Path(tmp) / f"{name}.vkey.json"
                write_verification_key(files[name], read_zkey(zk).verifying_key())
            else:
                raise InputError(f"{keys_dir}: no {name}.vkey.json or {name}.zkey")
        d = ChainDir.create(chain_dir, files, zkeys, oracle, force_timeout)
    esc, _ = d.open()
    click.echo(f"escrow {esc.contract.address}, token {esc.token.address}, operator {esc.operator}")


@chain_group.command("epoch")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("epoch_id", type=int)
@click.argument("epoch_hash", type=int)
@click.argument("deadline", type=int)
@click.option(
    "--signature",
    "sig_file",
    type=click.Path(exists=True, dir_okay=False),
    help="The oracle's signature of the epoch (JSON [[R8x, R8y], S]); default: the "
    "development oracle signs.",
)
def epoch(chain_dir, epoch_id, epoch_hash, deadline, sig_file):
    """Publish oracle epoch EPOCH_ID (data hash EPOCH_HASH, health DEADLINE)
    with a proof of the oracle's signature of it (anyone may)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.escrow import dev_oracle, proof_words, sign_epoch
    from ..chain.journal import ChainDir
    from ..circuits import oracle_epoch

    if sig_file:
        import json

        try:
            sig = json.loads(Path(sig_file).read_text())
        except ValueError as err:
            raise InputError(f"{sig_file}: not JSON ({err})") from None
    else:
        sig = sign_epoch(dev_oracle(), epoch_id, epoch_hash, deadline)

    def args(esc):
        f = esc.contract.functions
        pk = (f.oracleX().call(), f.oracleY().call())
        pub, prv = oracle_epoch.build(epoch_id, epoch_hash, deadline, pk, sig)
        oracle_epoch.check(pub, prv)
        proof, _ = esc.prove("oracle_epoch", pub, prv)
        return [epoch_id, epoch_hash, deadline, proof_words(proof)], []

    esc, rc = ChainDir(chain_dir).run("epoch", args)
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
    esc, rc = d.run("deposit", list(args), sender=sender)
    _done(esc, rc, "deposit (queued: the next batch appends it)")


@chain_group.command("settle")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("batch", type=click.Path(exists=True, dir_okay=False))
def settle(chain_dir, batch):
    """Mirror a settlement-service BATCH (JSON) to the escrow (operator),
    after every queued on-chain deposit (a queued deposit whose proof does
    not verify is rejected first: skipped; the operator earns the bounty, the
    depositor gets the rest back)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.escrow import batch_items
    from ..chain.journal import ChainDir
    from ..venue.batch import load

    items = batch_items(load(batch))
    d = ChainDir(chain_dir)
    _reject_invalid_deposits(d)
    esc, rc = d.run("settle", _settle_args(items))
    kinds = [k for k, _ in items]
    _done(
        esc,
        rc,
        f"settle ({kinds.count('trade')} trades, {kinds.count('withdraw')} withdrawals, "
        f"{rc_deposits(esc, rc)} queued deposits)",
    )


def _reject_invalid_deposits(d):
    """Reject (``rejectDeposit``, as the operator, which earns the bounty)
    every queued deposit whose proof does not verify: a batch naming one
    would revert."""
    from ..chain.escrow import one

    esc, _ = d.open()
    for pos in esc.invalid_deposits():
        _, proof, public = esc.queue_entry(pos)
        esc, rc = d.run("reject_deposit", [pos, *one("deposit", proof, public)[:2]])
        click.echo(
            f"queued deposit {pos}: invalid proof, rejected (skipped; the bounty to the "
            f"operator, the rest refunded): gas {rc.gasUsed}"
        )


def _settle_args(items):
    def make(esc):
        n = esc.contract.functions.queuedCount().call()
        arg, leaves = esc.settle_args(items, deposits=n)
        return [arg], leaves

    return make


def rc_deposits(esc, rc):
    from web3.logs import DISCARD

    (ev,) = esc.contract.events.Settled().process_receipt(rc, errors=DISCARD)
    return ev["args"]["deposits"]


@chain_group.command("withdraw")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("proof", metavar="PROOF|BATCH", type=click.Path(exists=True, dir_okay=False))
@click.argument("public", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--advance", default=0, help="Move the dev chain clock forward (seconds) first.")
def withdraw(chain_dir, proof, public, advance):
    """Withdraw through the operator with a withdraw PROOF/PUBLIC (or the
    BATCH file `zkats withdraw -o` wrote).  Without the operator: `zkats
    chain exit --forced`."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.escrow import withdrawal
    from ..chain.journal import ChainDir

    words, pub, _ = _proof_args(proof, public, "withdraw")
    d = ChainDir(chain_dir)
    _reject_invalid_deposits(d)
    esc, rc = d.run("settle", _settle_args([withdrawal(words, pub)]), advance=advance)
    _done(esc, rc, "withdraw")


@chain_group.command("exit")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("proof", metavar="PROOF|BATCH", type=click.Path(exists=True, dir_okay=False))
@click.argument("public", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--forced",
    is_flag=True,
    help="Without the operator: the first call requests the exit with this proof, a later "
    "one (after the timeout) completes it.",
)
@click.option(
    "--from",
    "sender",
    default=1,
    show_default=True,
    help="eth-tester account index sending a forced exit (anyone may).",
)
@click.option("--advance", default=0, help="Move the dev chain clock forward (seconds) first.")
def exit_(chain_dir, proof, public, forced, sender, advance):
    """Take the account's whole equity out with an exit PROOF/PUBLIC (or the
    BATCH file `zkats exit -o` wrote): served by the operator in a batch,
    or --forced (the exit game: request now, complete after the timeout:
    pays the proven recipient, queues the empty change note; nothing is
    frozen)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.journal import ChainDir

    d = ChainDir(chain_dir)
    words, pub, ct = _proof_args(proof, public, "exit")
    if not forced:
        from ..chain.escrow import exit_item

        _reject_invalid_deposits(d)
        esc, rc = d.run("settle", _settle_args([exit_item(words, pub)]), advance=advance)
        return _done(esc, rc, f"exit (paid {pub[4]})")
    esc, _ = d.open()
    f = esc.contract.functions
    request = f.exitOf(pub[1]).call()
    if request == 0:
        esc, rc = d.run("request_exit", [words, pub, ct], sender=sender, advance=advance)
        f = esc.contract.functions
        return _done(
            esc,
            rc,
            f"exit {f.exitCount().call() - 1} requested (anyone completes it after "
            f"{f.forceTimeout().call()} s unless the operator settles it first)",
        )
    esc, rc = d.run("complete_exit", [request - 1], sender=sender, advance=advance)
    _done(esc, rc, f"exit completed (paid {pub[4]}; the change note is queued)")


@chain_group.command("status")
@click.argument("chain_dir", type=click.Path(exists=True, file_okay=False))
def status(chain_dir):
    """Root, leaves, queued leaves, escrow balance, epoch and exit requests."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..chain.journal import ChainDir

    esc, data = ChainDir(chain_dir).open()
    f = esc.contract.functions
    click.echo(
        f"escrow {esc.contract.address}: balance {esc.balance(esc.contract.address)}, "
        f"leaves {f.nextIndex().call()}, root {esc.last_root()}, "
        f"queued {f.queuedCount().call()}, epoch {f.epochId().call()}, "
        f"exits {f.exitCount().call()}, "
        f"{len(data['txs'])} transactions"
    )
