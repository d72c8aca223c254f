"""The trader's and the venue's commands (thin: the logic is in
:mod:`zkats.venue.workflow`).

Every proving command writes a *batch file* (public: proofs and public
signals only) with ``-o``; ``zkats settle`` applies one or more batch files
to the ledger as one atomic batch.  Secrets (wallets, orders, quotes) are
written only to files the user names, mode 0600, never overwritten.
"""

import functools
import json
import os
import secrets
import time

import click

from ..errors import InputError
from . import main
from ._cluster import cluster_option, remote_prover

_VENUE_HELP = "Venue directory (default: $ZKATS_VENUE or the current directory)."


def _common(f):
    f = click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")(f)
    f = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(f)
    return f


def _wallet_opt(help=None):
    """``--wallet/-w FILE``: an existing wallet file (required)."""
    return click.option(
        "--wallet", "-w", required=True, type=click.Path(dir_okay=False, exists=True), help=help
    )


def _out_opt(help=None):
    """``--out/-o FILE``: the file the command creates (required)."""
    return click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), help=help)


def _remember(key):
    def callback(ctx, param, value):
        ctx.meta[key] = value
        return value

    return callback


def _venue_opt(f):
    f = click.option(
        "--token-file",
        type=click.Path(dir_okay=False),
        expose_value=False,
        callback=_remember("zkats.token_file"),
        help="Operator token file, for the operator's commands on a service "
        "(default: $ZKATS_OPERATOR_TOKEN).",
    )(f)
    f = click.option(
        "--service",
        default=lambda: os.environ.get("ZKATS_SERVICE") or None,
        expose_value=False,
        callback=_remember("zkats.service"),
        help="Talk to the settlement service at this URL instead of a local venue "
        "directory (default: $ZKATS_SERVICE).",
    )(f)
    return click.option(
        "--venue",
        "-V",
        "venue_dir",
        type=click.Path(file_okay=False),
        default=lambda: os.environ.get("ZKATS_VENUE", "."),
        help=_VENUE_HELP,
    )(f)


def _progress(quiet):
    if quiet:
        return None
    t0 = time.perf_counter()
    return lambda msg: click.echo(f"[{time.perf_counter() - t0:6.1f}s] {msg}", err=True)


def _out(as_json, data, text):
    click.echo(json.dumps(data) if as_json else text)


def _open(venue_dir, quiet, cluster=None):
    """The venue: a local directory, or the service named by ``--service``;
    with ``cluster`` (the ``--cluster`` option) a local venue's proofs are
    made on the prover pool at that address."""
    meta = click.get_current_context().meta
    url = meta.get("zkats.service")
    if url:
        if cluster:
            raise InputError("--cluster: the service named by --service makes its own proofs")
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..server.client import RemoteVenue, operator_token

        token = operator_token(token_file=meta.get("zkats.token_file"))
        return RemoteVenue(url, progress=_progress(quiet), token=token)
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Venue

    v = Venue(venue_dir, progress=_progress(quiet))
    v.remote = remote_prover(cluster)
    return v


def _write_batch(path, items):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue import batch as B

    if os.path.exists(path):
        raise InputError(f"{path}: already exists")
    B.dump(path, B.Batch(tuple(items)))


# ------------------------------------------------------------------ venue
@main.group("venue")
def venue_group():
    """Create and run a (development) venue directory."""


@venue_group.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--ptau",
    type=click.Path(dir_okay=False, exists=True),
    help="Prepared .ptau (power >= 14) instead of a locally made one.",
)
@click.option(
    "--mark",
    type=int,
    default=60_000,
    show_default=True,
    help="BTC-PERP mark price of the first oracle epoch.",
)
@_common
def venue_init(directory, ptau, mark, as_json, quiet):
    """Create a venue: ledger, development keys for every circuit, first oracle epoch.

    Keys are cached (~/.cache/zkats/devkeys or $ZKATS_KEY_CACHE), so a second
    init is fast.  They come from a ONE-party ceremony: fine for development,
    not for a production venue (which needs a multi-party ceremony).
    """
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import CEREMONY_WARNING, Venue

    click.echo(f"zkats: WARNING: {CEREMONY_WARNING}", err=True)
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..server.auth import create_token

    v = Venue.init(directory, ptau=ptau, progress=_progress(quiet), mark=mark)
    token = create_token(v.dir)
    data = {
        "operator_token_file": str(token),
        "venue": str(v.dir),
        "ledger": str(v.dir / "ledger.db"),
        "keys": str(v.dir / "keys"),
        "key_seconds": v.key_timings,
        "epoch": v.epoch().epoch_id,
        "development_keys": True,
    }
    v.close()
    _out(
        as_json,
        data,
        f"venue ready in {v.dir} (ledger, keys for {len(v.key_timings)} circuits, oracle epoch 1)",
    )


@venue_group.command("keys")
@click.option(
    "--ptau",
    type=click.Path(dir_okay=False, exists=True),
    help="Prepared .ptau (power >= 14) instead of a locally made one.",
)
@_venue_opt
@_common
def venue_keys(ptau, venue_dir, as_json, quiet):
    """Make the development keys of statements added since the venue was made
    (e.g. cancel); the existing keys are kept."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import CEREMONY_WARNING, Venue

    v = Venue(venue_dir, progress=_progress(quiet))
    missing = v.missing_keys()
    if missing:
        click.echo(f"zkats: WARNING: {CEREMONY_WARNING}", err=True)
    made = v.add_keys(ptau) if missing else {}
    v.close()
    _out(
        as_json,
        {"made": sorted(made)},
        f"made keys for {', '.join(sorted(made))}" if made else "every statement has its keys",
    )


@venue_group.command("advance-clock")
@click.argument("seconds", type=int)
@_venue_opt
@_common
def venue_advance(seconds, venue_dir, as_json, quiet):
    """Move the development venue's clock forward (deadlines in tests and demos)."""
    v = _open(venue_dir, quiet)
    v.advance_clock(seconds)
    _out(as_json, {"now": v.now()}, f"venue clock now {v.now()}")


@venue_group.command("funds")
@_venue_opt
@_common
def venue_funds(venue_dir, as_json, quiet):
    """The venue's fee account and insurance fund: balances, the backstop's
    positions, equity at the latest marks, and the operator's withdrawals."""
    v = _open(venue_dir, quiet)
    data = v.funds()
    v.close()
    lines = []
    for name in ("fee", "insurance"):
        f = data[name]
        pos = ", ".join(
            f"{p['instrument']} {p['position']:+d}" for p in f["positions"] if p["position"]
        )
        lines.append(
            f"{name}: balance {f['balance']}, equity {f['equity']}" + (f" ({pos})" if pos else "")
        )
    lines.append(f"operator withdrawals: {len(data['withdrawals'])}")
    _out(as_json, data, "\n".join(lines))


# ------------------------------------------------------------------ keys
@main.group("keys")
def keys_group():
    """Trader keys (wallet files, mode 0600)."""


@keys_group.command("new")
@click.argument("wallet", type=click.Path(dir_okay=False))
@click.option("--name", default="", help="A label stored in the wallet.")
@_common
def keys_new(wallet, name, as_json, quiet):
    """Create WALLET: a new spending key, from which the spend-authorising key,
    nullifier key and liquidation key derive (mode 0600; never overwritten)."""
    from ..venue.workflow import Wallet

    w = Wallet.create(wallet, name=name)
    _out(
        as_json,
        {"wallet": wallet, "account": str(w.account)},
        f"wallet {wallet}: account {w.account}",
    )


@keys_group.command("export")
@click.argument("wallet", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--viewing", "what", flag_value="viewing", help="The viewing key (an auditor: reads only)."
)
@click.option(
    "--liquidation",
    "what",
    flag_value="liquidation",
    help="The liquidation capability (the risk engine: can prove liquidate and nothing else).",
)
@_out_opt()
@_common
def keys_export(wallet, what, out, as_json, quiet):
    """Write a delegable part of WALLET's keys, with its note openings, to OUT
    (mode 0600; never overwritten).  The spending key is never written."""
    from ..venue.workflow import Wallet

    if what is None:
        raise InputError("keys export: choose --viewing or --liquidation")
    w = Wallet.load(wallet).export(out, what)
    _out(
        as_json,
        {"file": out, "kind": w.kind, "account": str(w.account)},
        f"{out}: {what} key of account {w.account}",
    )


# ------------------------------------------------------------------ proving commands
def _batch_cmd(body):
    @functools.wraps(body)
    def checked(*a, **kw):
        if os.path.exists(kw["out"]):  # before any proving
            raise InputError(f"{kw['out']}: already exists")
        return body(*a, **kw)

    fn = checked
    fn = _out_opt("Batch file to write (public).")(fn)
    fn = click.option(
        "--settle", "settle_now", is_flag=True, help="Also apply the batch to the ledger now."
    )(fn)
    return _common(_venue_opt(fn))


def _finish(v, items, out, settle_now, as_json, extra=None):
    _write_batch(out, items)
    data = {"batch": out, "items": [i.kind for i in items]}
    data.update(extra or {})
    text = f"wrote {out} ({', '.join(i.kind for i in items)})"
    if settle_now:
        r = v.settle(items)
        data["settled"] = {"batch_id": r.batch_id, "root": str(r.root)}
        text += f"; settled as batch {r.batch_id}"
    v.close()
    _out(as_json, data, text)


def _int_args(pairs):
    out = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name:
            raise InputError(f"--arg {pair!r}: expected NAME=VALUE")
        try:
            out[name] = int(value, 0)
        except ValueError:
            raise InputError(f"--arg {name}: not a number: {value!r}") from None
    return out


@venue_group.command("prove")
@click.argument("kind")
@_wallet_opt()
@click.option(
    "--arg",
    "-a",
    "args",
    multiple=True,
    metavar="NAME=VALUE",
    help="An argument of the statement's build (an integer; repeatable).",
)
@_batch_cmd
def venue_prove(kind, wallet, args, out, settle_now, venue_dir, as_json, quiet):
    """Prove a statement of KIND about the wallet's account: any kind the
    ledger has a rule for that carries one proof (withdraw, health, liquidate
    ... and every statement added with its circuit and rule).  Its circuit's
    build arguments beyond the account, root and epoch come as --arg
    NAME=VALUE (integers)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Wallet

    params = _int_args(args)
    v = _open(venue_dir, quiet)
    _finish(v, [v.act(kind, Wallet.load(wallet), **params)], out, settle_now, as_json)


@main.command("deposit")
@click.argument("amount", type=int)
@_wallet_opt()
@click.option(
    "--model",
    type=click.Choice(["linear", "scenario"]),
    default=None,
    help="margin model of a NEW account (fixed at its first deposit; default linear): "
    "linear rates on the underlying notional, or scenario margin per underlying",
)
@_batch_cmd
def deposit(amount, wallet, model, out, settle_now, venue_dir, as_json, quiet):
    """Prove a deposit of AMOUNT collateral into the wallet's account."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Wallet

    v = _open(venue_dir, quiet)
    m = None if model is None else ("linear", "scenario").index(model)
    _finish(v, [v.deposit(Wallet.load(wallet), amount, model=m)], out, settle_now, as_json)


@main.command("withdraw")
@click.argument("amount", type=int)
@_wallet_opt()
@click.option("--recipient", required=True, help="Payout address (decimal or 0x hex).")
@_batch_cmd
def withdraw(amount, wallet, recipient, out, settle_now, venue_dir, as_json, quiet):
    """Prove a withdrawal of AMOUNT to RECIPIENT (initial margin must still hold)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Wallet

    try:
        rcpt = int(recipient, 0)
    except ValueError:
        raise InputError(f"--recipient: not a number: {recipient!r}") from None
    v = _open(venue_dir, quiet)
    _finish(v, [v.withdraw(Wallet.load(wallet), amount, rcpt)], out, settle_now, as_json)


@main.command("exit")
@_wallet_opt()
@click.option("--recipient", required=True, help="Payout address (decimal or 0x hex).")
@_batch_cmd
def exit_(wallet, recipient, out, settle_now, venue_dir, as_json, quiet):
    """Prove the account's exit: its whole equity at the latest epoch's
    marks to RECIPIENT, every open position taken over by the venue's
    backstop at the mark (the escrow's exit game: send it on chain alone
    with `zkats chain exit --forced`)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Wallet

    try:
        rcpt = int(recipient, 0)
    except ValueError:
        raise InputError(f"--recipient: not a number: {recipient!r}") from None
    if not 0 <= rcpt < 1 << 160:
        raise InputError(f"--recipient: not an address: {recipient!r}")
    v = _open(venue_dir, quiet)
    _finish(v, [v.exit(Wallet.load(wallet), rcpt)], out, settle_now, as_json)


@venue_group.command("withdraw-fund")
@click.argument("fund", type=click.Choice(["fee", "insurance"]))
@click.argument("amount", type=int)
@click.option("--recipient", required=True, help="Payout address (decimal or 0x hex).")
@_batch_cmd
def venue_withdraw_fund(fund, amount, recipient, out, settle_now, venue_dir, as_json, quiet):
    """Sign (with the venue's operator.key) a withdrawal of AMOUNT from FUND.

    The only way the venue's own money leaves: numbered, signed, logged by
    the ledger; refused while the insurance fund is in deficit."""
    try:
        rcpt = int(recipient, 0)
    except ValueError:
        raise InputError(f"--recipient: not a number: {recipient!r}") from None
    v = _open(venue_dir, quiet)
    _finish(v, [v.fund_withdrawal(fund, amount, rcpt)], out, settle_now, as_json)


@main.command("health")
@_wallet_opt()
@_batch_cmd
def health(wallet, out, settle_now, venue_dir, as_json, quiet):
    """Prove the account meets maintenance margin at the latest oracle epoch."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Wallet

    v = _open(venue_dir, quiet)
    _finish(v, [v.health(Wallet.load(wallet))], out, settle_now, as_json)


@main.command("liquidate")
@click.option(
    "--capability",
    "-c",
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    help="The account's liquidation capability (zkats keys export --liquidation), held by "
    "the venue's risk engine.",
)
@click.option("--epoch", type=int, help="Oracle epoch (default: the latest).")
@cluster_option
@_batch_cmd
def liquidate(capability, epoch, cluster, out, settle_now, venue_dir, as_json, quiet):
    """Prove the liquidation (all positions closed at mark) of an account that
    fails maintenance margin and is liquidatable at the latest closed epoch."""
    from ..venue.workflow import Wallet

    v = _open(venue_dir, quiet, cluster)
    _finish(v, [v.liquidate(Wallet.load(capability), epoch)], out, settle_now, as_json)


@main.command("match")
@click.argument("order_a", type=click.Path(dir_okay=False, exists=True))
@click.argument("order_b", type=click.Path(dir_okay=False, exists=True))
@click.option("--wallet-a", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--wallet-b", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--fill", type=int, help="Lots to fill (default: the smaller size).")
@click.option("--price", type=int, help="Execution price (default: ORDER_B's limit).")
@click.option(
    "--prove-orders",
    is_flag=True,
    help="Also prove both orders into the batch (if not opened by earlier batches).",
)
@click.option(
    "--remainder-a",
    type=click.Path(dir_okay=False),
    help="Order file to create (secret, 0600) with the rest of ORDER_A after a partial fill.",
)
@click.option(
    "--remainder-b",
    type=click.Path(dir_okay=False),
    help="Order file to create (secret, 0600) with the rest of ORDER_B after a partial fill.",
)
@cluster_option
@_batch_cmd
def match(
    order_a,
    order_b,
    wallet_a,
    wallet_b,
    fill,
    price,
    prove_orders,
    remainder_a,
    remainder_b,
    cluster,
    out,
    settle_now,
    venue_dir,
    as_json,
    quiet,
):
    """Prove a limit-order match and both accounts' transitions (one trade item).

    A convenience for a single operator holding both wallets (demos,
    benchmarks); `zkats trade match/confirm/assemble` is the same trade
    proved party by party."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Wallet, order_from_json, order_to_json, read_json, write_secret

    a = order_from_json(read_json(order_a, "zkats-order"), order_a)
    b = order_from_json(read_json(order_b, "zkats-order"), order_b)
    q = min(a.order.size, b.order.size) if fill is None else fill
    rest = {}
    for so, path, opt, name in (
        (a, remainder_a, "--remainder-a", order_a),
        (b, remainder_b, "--remainder-b", order_b),
    ):
        if so.order.size > q:  # before any proving
            if not path:
                raise InputError(
                    f"{name}: the fill leaves {so.order.size - q} lots: "
                    f"name {opt} FILE to keep them"
                )
            if os.path.exists(path):
                raise InputError(f"{path}: already exists")
            rest[so.commitment] = path
    v = _open(venue_dir, quiet, cluster)
    opening = v.opening_items((a, b)) if prove_orders else []
    item, m = v.match(a, b, Wallet.load(wallet_a), Wallet.load(wallet_b), fill, price)
    for so, rem in zip((m.a, m.b), m.remainders()):
        if so.commitment in rest:
            write_secret(rest[so.commitment], order_to_json(rem))
    _finish(v, opening + [item], out, settle_now, as_json, {"remainders": sorted(rest.values())})


# ------------------------------------------------------------------ trades party by party
@main.group("trade")
def trade_group():
    """A trade proved party by party: the operator matches, each trader proves its own leg."""


def _write_new_public(path, obj):
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import write_public

    if os.path.exists(path):
        raise InputError(f"{path}: already exists")
    write_public(path, obj)


@trade_group.command("match")
@click.argument("order_a", type=click.Path(dir_okay=False, exists=True))
@click.argument("order_b", type=click.Path(dir_okay=False, exists=True))
@click.option("--fill", type=int, help="Lots to fill (default: the smaller size).")
@click.option("--price", type=int, help="Execution price (default: ORDER_B's limit).")
@click.option("--prove-orders", is_flag=True, help="Also prove both orders (opened in the batch).")
@_out_opt("Partial trade (public).")
@click.option(
    "--confirm-a",
    required=True,
    type=click.Path(dir_okay=False),
    help="The buyer's confirmation (SECRET, 0600): give it to the buyer only.",
)
@click.option(
    "--confirm-b",
    required=True,
    type=click.Path(dir_okay=False),
    help="The seller's confirmation (SECRET, 0600): give it to the seller only.",
)
@cluster_option
@_venue_opt
@_common
def trade_match(
    order_a,
    order_b,
    fill,
    price,
    prove_orders,
    out,
    confirm_a,
    confirm_b,
    cluster,
    venue_dir,
    as_json,
    quiet,
):
    """The operator's part: prove the match of two orders it was sent (no wallets)."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import order_from_json, read_json, write_secret

    for p in (out, confirm_a, confirm_b):
        if os.path.exists(p):  # before any proving
            raise InputError(f"{p}: already exists")
    v = _open(venue_dir, quiet, cluster)
    a = order_from_json(read_json(order_a, "zkats-order"), order_a)
    b = order_from_json(read_json(order_b, "zkats-order"), order_b)
    partial, confs, m = v.match_orders(a, b, fill, price, prove_orders)
    _write_new_public(out, partial)
    write_secret(confirm_a, confs["a"])
    write_secret(confirm_b, confs["b"])
    v.close()
    data = {"partial": out, "confirm_a": confirm_a, "confirm_b": confirm_b, "fill": m.fill}
    _out(as_json, data, f"wrote {out}; confirmations {confirm_a} (buyer), {confirm_b} (seller)")


@trade_group.command("confirm")
@click.argument("confirmation", type=click.Path(dir_okay=False, exists=True))
@_wallet_opt()
@_out_opt("Leg proof (public).")
@click.option(
    "--remainder",
    type=click.Path(dir_okay=False),
    help="Order file to create (secret, 0600) with the rest of the order when the "
    "fill was partial (required then): match it later, or cancel it.",
)
@cluster_option
@_venue_opt
@_common
def trade_confirm(confirmation, wallet, out, remainder, cluster, venue_dir, as_json, quiet):
    """A trader's part: prove its own leg of a confirmed fill with its own wallet."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.trade_files import confirmation_from_json, confirmation_remainder
    from ..venue.workflow import Wallet, read_json

    for p in (out, remainder):
        if p and os.path.exists(p):  # before any proving
            raise InputError(f"{p}: already exists")
    conf = read_json(confirmation)
    v = _open(venue_dir, quiet, cluster)
    proof = v.confirm_trade(Wallet.load(wallet), conf, confirmation, remainder)
    _write_new_public(out, proof)
    v.close()
    rest = confirmation_remainder(conf, confirmation, confirmation_from_json(conf, confirmation)[2])
    data = {
        "leg": out,
        "side": proof["side"],
        "remainder": remainder if rest is not None else None,
        "remaining": rest.order.size if rest is not None else 0,
    }
    text = f"wrote {out} (leg {proof['side']})"
    if rest is not None:
        text += f"; the remaining {rest.order.size} lots in {remainder}"
    _out(as_json, data, text)


@trade_group.command("assemble")
@click.argument("partial", type=click.Path(dir_okay=False, exists=True))
@click.argument("legs", nargs=2, type=click.Path(dir_okay=False, exists=True))
@_batch_cmd
def trade_assemble(partial, legs, out, settle_now, venue_dir, as_json, quiet):
    """The operator's last step: the trade batch from the partial trade and both legs."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Venue, read_json

    parts = (read_json(partial), [read_json(p) for p in legs], (partial, *legs))
    if settle_now:
        v = _open(venue_dir, quiet)
        _finish(v, Venue.assemble_trade(*parts, venue=v), out, True, as_json)
        return
    items = Venue.assemble_trade(*parts)
    _write_batch(out, items)
    kinds = [i.kind for i in items]
    _out(as_json, {"batch": out, "items": kinds}, f"wrote {out} ({', '.join(kinds)})")


@main.command("settle")
@click.argument("batches", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
@_venue_opt
@_common
def settle(batches, venue_dir, as_json, quiet):
    """Verify BATCHES (merged into one) and apply them atomically, or nothing."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue import batch as B

    v = _open(venue_dir, quiet)
    items = [it for p in batches for it in B.load(p).items]
    r = v.settle(items)
    v.close()
    data = {
        "batch_id": r.batch_id,
        "items": r.n_items,
        "root": str(r.root),
        "nullifiers": r.nullifiers,
        "verify_seconds": round(r.verify_seconds, 3),
    }
    _out(
        as_json,
        data,
        f"settled batch {r.batch_id}: {r.n_items} items, {r.nullifiers} "
        f"nullifiers, new root {r.root} (verified in {r.verify_seconds:.2f} s)",
    )


# ------------------------------------------------------------------ orders and RFQ
@main.group("order")
def order_group():
    """Signed, committed orders (order files are secret: mode 0600)."""


def _order_opts(f):
    f = click.option("--instrument", default="BTC-PERP", show_default=True)(f)
    f = click.option(
        "--expiry-in",
        type=int,
        default=3600,
        show_default=True,
        help="Seconds until the order expires.",
    )(f)
    return f


@order_group.command("new")
@_wallet_opt()
@click.option("--side", required=True, type=click.Choice(["buy", "sell"]))
@click.option("--size", required=True, type=int)
@click.option("--limit", required=True, type=int)
@_out_opt("Order file to create (secret, 0600).")
@click.option(
    "--batch",
    "batch_out",
    type=click.Path(dir_okay=False),
    help="Also prove the order and write its batch file (public): settling it "
    "opens the order on the ledger, which a match requires.",
)
@_order_opts
@_venue_opt
@_common
def order_new(
    wallet, side, size, limit, out, batch_out, instrument, expiry_in, venue_dir, as_json, quiet
):
    """Sign and commit a limit order; the public part is its commitment."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Wallet, order_to_json, write_secret

    if batch_out and os.path.exists(batch_out):
        raise InputError(f"{batch_out}: already exists")
    v = _open(venue_dir, quiet)
    so = v.new_order(Wallet.load(wallet), instrument, side, size, limit, expiry_in)
    item = v.order_item(so) if batch_out else None
    write_secret(out, order_to_json(so))
    if item is not None:
        _write_batch(batch_out, [item])
    v.close()
    cx, cy = so.commitment
    _out(
        as_json,
        {"order": out, "commitment": [str(cx), str(cy)], "batch": batch_out},
        f"order {out}: commitment ({cx}, {cy})"
        + (f"; order proof in {batch_out}" if batch_out else ""),
    )


@order_group.command("cancel")
@click.argument("order_file", type=click.Path(dir_okay=False, exists=True))
@_wallet_opt("The order owner's wallet (its spending key signs the cancel).")
@click.option(
    "--unopened",
    is_flag=True,
    help="Cancel an order the ledger has not seen yet (it can then never be opened).",
)
@_batch_cmd
def order_cancel(order_file, wallet, unopened, out, settle_now, venue_dir, as_json, quiet):
    """Cancel ORDER_FILE (an order or a remainder): a proof, signed by the
    owner, that consumes its commitment, so it can never be matched."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import Wallet, order_from_json, read_json

    so = order_from_json(read_json(order_file, "zkats-order"), order_file)
    v = _open(venue_dir, quiet)
    item = v.cancel_order(Wallet.load(wallet), so, unopened)
    cx, cy = so.commitment
    _finish(v, [item], out, settle_now, as_json, {"order": [str(cx), str(cy)]})


@order_group.command("status")
@click.argument("order_file", type=click.Path(dir_okay=False, exists=True))
@_venue_opt
@_common
def order_status(order_file, venue_dir, as_json, quiet):
    """Where ORDER_FILE (an order or a remainder) stands on the ledger: open
    (a match may take it), consumed (matched or cancelled) or unknown (not
    opened yet).  Reads the public ledger only; nothing is written."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..venue.workflow import order_from_json, read_json

    so = order_from_json(read_json(order_file, "zkats-order"), order_file)
    v = _open(venue_dir, quiet)
    status = v.ledger.order_status(so.commitment)
    o = so.order
    expired = v.now() >= o.expiry
    v.close()
    side = "buy" if o.side == 0 else "sell"
    data = {
        "order": [str(c) for c in so.commitment],
        "status": status or "unknown",
        "side": side,
        "size": o.size,
        "limit": o.limit,
        "expiry": o.expiry,
        "expired": expired,
    }
    text = f"{order_file}: {side} {o.size} at {o.limit}: {status or 'unknown (not opened)'}"
    _out(as_json, data, text + (" (expired)" if expired else ""))


@main.group("rfq")
def rfq_group():
    """Request for quote: request (public), quote (secret), accept (the taker's side)."""


@rfq_group.command("request")
@click.option("--side", required=True, type=click.Choice(["buy", "sell"]))
@click.option("--size", required=True, type=int)
@_out_opt()
@_order_opts
@_venue_opt
@_common
def rfq_request(side, size, out, instrument, expiry_in, venue_dir, as_json, quiet):
    """Write a request for quote (instrument, side, size; no price)."""
    from ..domain import orders
    from ..venue.workflow import request_to_json, write_public

    v = _open(venue_dir, quiet)
    req = orders.Request(
        v.instrument(instrument),
        orders.BUY if side == "buy" else orders.SELL,
        size,
        v.now() + expiry_in,
    )
    write_public(out, request_to_json(req))
    _out(as_json, request_to_json(req), f"request {out}: {side} {size} {instrument}")


@rfq_group.command("quote")
@click.argument("request", type=click.Path(dir_okay=False, exists=True))
@_wallet_opt("The market maker's wallet.")
@click.option("--price", required=True, type=int)
@_out_opt("Quote file to create (holds the maker's signed order: secret, 0600).")
@_venue_opt
@_common
def rfq_quote(request, wallet, price, out, venue_dir, as_json, quiet):
    """Answer REQUEST with a signed order at PRICE."""
    from ..domain import orders
    from ..venue.workflow import (
        Wallet,
        order_to_json,
        read_json,
        request_from_json,
        request_to_json,
        write_secret,
    )

    req = request_from_json(read_json(request, "zkats-rfq-request"), request)
    q = orders.quote(req, Wallet.load(wallet).key, price, secrets.randbits(63))
    write_secret(
        out,
        {
            "kind": "zkats-rfq-quote",
            "request": request_to_json(req),
            "maker_order": order_to_json(q.maker_order),
        },
    )
    _out(as_json, {"quote": out, "price": price}, f"quote {out}: price {price}")


@rfq_group.command("accept")
@click.argument("quote", type=click.Path(dir_okay=False, exists=True))
@_wallet_opt("The taker's wallet (its own: the maker proves its side itself).")
@_out_opt("Partial trade (public): both orders' proofs, the match and the netting proof.")
@click.option(
    "--leg",
    "leg_out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The taker's leg proof (public).",
)
@click.option(
    "--confirm-maker",
    required=True,
    type=click.Path(dir_okay=False),
    help="The maker's confirmation (SECRET, 0600): give it to the maker only, who "
    "proves its leg with `zkats trade confirm`.",
)
@cluster_option
@_venue_opt
@_common
def rfq_accept(quote, wallet, out, leg_out, confirm_maker, cluster, venue_dir, as_json, quiet):
    """Accept QUOTE with the taker's own wallet: sign the taker's order, prove
    both orders, the match and the taker's leg.  Then the maker runs `zkats
    trade confirm` on its confirmation and either side `zkats trade assemble
    OUT LEG MAKER_LEG`."""
    from ..domain import orders
    from ..venue.workflow import Wallet, order_from_json, read_json, request_from_json, write_secret

    for p in (out, leg_out, confirm_maker):
        if os.path.exists(p):  # before any proving
            raise InputError(f"{p}: already exists")
    d = read_json(quote, "zkats-rfq-quote")
    if not isinstance(d.get("request"), dict) or not isinstance(d.get("maker_order"), dict):
        raise InputError(f"{quote}: malformed quote")
    q = orders.Quote(
        request_from_json(d["request"], quote), order_from_json(d["maker_order"], quote)
    )
    v = _open(venue_dir, quiet, cluster)
    partial, leg, conf, _ = v.accept_quote(q, Wallet.load(wallet))
    _write_new_public(out, partial)
    _write_new_public(leg_out, leg)
    write_secret(confirm_maker, conf)
    v.close()
    data = {"partial": out, "leg": leg_out, "confirm_maker": confirm_maker, "price": q.price}
    _out(
        as_json,
        data,
        f"wrote {out} and the taker's leg {leg_out}; the maker's confirmation "
        f"{confirm_maker} (give it to the maker only)",
    )


# ------------------------------------------------------------------ oracle and ledger
@main.group("oracle")
def oracle_group():
    """Oracle epochs (mark prices) of a development venue."""


@oracle_group.command("publish")
@click.option(
    "--mark", "marks", multiple=True, required=True, help="SYMBOL=PRICE, e.g. BTC-PERP=52000"
)
@click.option(
    "--deadline-in",
    type=int,
    default=3600,
    show_default=True,
    help="Seconds until health proofs for the epoch close.",
)
@click.option(
    "--index",
    "indices",
    multiple=True,
    help="SYMBOL=PRICE: a perpetual's index (spot) price; its funding accrues since "
    "the last epoch by the venue's policy (premium capped at 0.75% per 8 h).",
)
@click.option(
    "--underlying",
    "underlyings",
    multiple=True,
    help="ASSET=PRICE, e.g. BTC=64000: the underlying's price (options need it) and the "
    "settlement price of every dated future and option on ASSET that has expired.",
)
@click.option(
    "--vol",
    "vols",
    multiple=True,
    help="ASSET=VOL, e.g. BTC=0.6: a flat implied volatility; every live option on ASSET "
    "without a --mark is marked at its Black-76 price.",
)
@click.option(
    "--surface",
    "surface_files",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True),
    help="A volatility surface file (zkats price format), used like --vol for its underlying.",
)
@_venue_opt
@_common
def oracle_publish(
    marks, deadline_in, indices, underlyings, vols, surface_files, venue_dir, as_json, quiet
):
    """Publish the next oracle epoch.  Expired futures and options settle at
    the --underlying price (options: exercised in the money) and keep that
    settlement entry in every later epoch."""

    def parse(pairs, opt):
        out = {}
        for m in pairs:
            sym, _, price = m.partition("=")
            if not price.isdigit():
                raise InputError(f"{opt} {m!r}: expected SYMBOL=PRICE")
            out[sym] = int(price)
        return out

    parsed, index = parse(marks, "--mark"), parse(indices, "--index")
    under = parse(underlyings, "--underlying")
    surfaces = {}
    if vols or surface_files:
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..pricing.surface import flat_surface, load_surface

        for m in vols:
            asset, _, vol = m.partition("=")
            try:
                surfaces[asset] = flat_surface(asset, float(vol))
            except ValueError:
                raise InputError(f"--vol {m!r}: expected ASSET=VOL (e.g. BTC=0.6)") from None
        for f in surface_files:
            surf = load_surface(f)
            surfaces[surf.underlying] = surf
    v = _open(venue_dir, quiet)
    parsed.update(v._surface_marks(parsed, under, surfaces))  # also for a served venue
    ep = v.publish_epoch(parsed, deadline_in, index or None, under or None)
    settled = {
        v.symbol(e.instrument): {"underlying": e.underlying, "value": e.mark}
        for e in ep.entries
        if e.instrument and e.expired
    }
    v.close()
    text = f"oracle epoch {ep.epoch_id} published (hash {ep.hash()})"
    for sym, x in settled.items():
        text += f"\n  {sym}: expired, settles at {x['value']} a lot (underlying {x['underlying']})"
    _out(as_json, {"epoch_id": ep.epoch_id, "hash": str(ep.hash()), "settled": settled}, text)


# ------------------------------------------------------------------ instruments
@main.group("instrument")
def instrument_group():
    """The venue's listed instruments: perpetuals, dated futures, European options."""


@instrument_group.command("add")
@click.argument("symbol")
@click.option(
    "--kind",
    type=click.Choice(["perpetual", "future", "option"]),
    required=True,
    help="What the instrument is.",
)
@click.option("--underlying", required=True, help="The underlying asset, e.g. BTC.")
@click.option("--quote", default="USDC", show_default=True, help="The quote (collateral) asset.")
@click.option("--expiry", type=int, help="Expiry, unix seconds (futures and options).")
@click.option(
    "--expires-in",
    type=int,
    help="Expiry, in seconds from the venue's clock (instead of --expiry).",
)
@click.option("--strike", type=int, help="Strike, collateral units per lot (options).")
@click.option("--put", "is_put", is_flag=True, help="A put (options; default: a call).")
@click.option("--lot", type=int, default=1, show_default=True, help="Underlying units per lot.")
@click.option("--tick", type=int, default=1, show_default=True, help="Price increment.")
@_venue_opt
@_common
def instrument_add(
    symbol,
    kind,
    underlying,
    quote,
    expiry,
    expires_in,
    strike,
    is_put,
    lot,
    tick,
    venue_dir,
    as_json,
    quiet,
):
    """List SYMBOL on a venue directory (the operator's command)."""
    from ..domain import instruments

    if click.get_current_context().meta.get("zkats.service"):
        raise InputError("instrument add: run it on the venue directory (the operator's)")
    if expiry is not None and expires_in is not None:
        raise InputError("--expiry and --expires-in: give one")
    v = _open(venue_dir, quiet)
    if expires_in is not None:
        expiry = v.now() + expires_in
    if kind != "option" and (strike is not None or is_put):
        raise InputError("--strike/--put: options only")
    if kind == "perpetual" and expiry is not None:
        raise InputError("--expiry: a perpetual has none")
    if kind != "perpetual" and expiry is None:
        raise InputError(f"--expiry or --expires-in: a {kind} needs one")
    if kind == "option" and strike is None:
        raise InputError("--strike: an option needs one")
    k = {"perpetual": instruments.PERPETUAL, "future": instruments.FUTURE}.get(
        kind, instruments.OPTION
    )
    inst = instruments.Instrument(
        k,
        underlying,
        quote,
        lot,
        tick,
        expiry=expiry or 0,
        strike=strike or 0,
        right=instruments.PUT if is_put else instruments.CALL,
    )
    v.add_instrument(symbol, inst)
    v.close()
    _out(
        as_json,
        {"symbol": symbol, "id": str(inst.id), **inst.to_json()},
        f"{symbol} listed: {instruments.KIND_NAMES[k]} on {underlying} (id {inst.id})",
    )


@instrument_group.command("list")
@_venue_opt
@_common
def instrument_list(venue_dir, as_json, quiet):
    """The listed instruments, with their status at the venue's clock."""
    v = _open(venue_dir, quiet)
    now, settled = v.now(), v.meta.get("settlements", {})
    rows = []
    for sym, inst in v.listed().items():
        if sym in settled:
            status = f"settled (underlying {settled[sym]})"
        elif inst.expired(now):
            status = "expired, awaiting its settlement price"
        elif inst.expiry:
            status = f"live, expires in {inst.expiry - now} s"
        else:
            status = "live"
        rows.append({"symbol": sym, "id": str(inst.id), "status": status, **inst.to_json()})
    v.close()
    text = "\n".join(
        f"{r['symbol']:<16} {r['kind']:<9} {r['underlying']:<5} "
        + (f"strike {r['strike']} {r['right']} " if r["kind"] == "option" else "")
        + r["status"]
        for r in rows
    )
    _out(as_json, rows, text)


@oracle_group.command("close")
@click.argument("epoch", type=int, required=False)
@_venue_opt
@_common
def oracle_close(epoch, venue_dir, as_json, quiet):
    """After the deadline: accounts without a health proof become liquidatable."""
    v = _open(venue_dir, quiet)
    eid, marked = v.close_epoch(epoch)
    v.close()
    _out(
        as_json,
        {"epoch_id": eid, "liquidatable": marked},
        f"oracle epoch {eid} closed; liquidatable: {', '.join(marked) or 'none'}",
    )


@main.group("ledger")
def ledger_group():
    """The public ledger."""


@ledger_group.command("show")
@_venue_opt
@_common
def ledger_show(venue_dir, as_json, quiet):
    """Print what the ledger shows publicly (counts, root, escrow, liquidations)."""
    v = _open(venue_dir, quiet)
    s = v.ledger.summary()
    s["liquidatable"] = [
        {"epoch": e, "account": a, "reason": r, "liquidated_batch": b}
        for e, a, r, b in v.ledger.liquidatable()
    ]
    v.close()
    if as_json:
        click.echo(json.dumps(s))
    else:
        for k, val in s.items():
            click.echo(f"{k:>22s}: {val}")
