"""``zkats serve``: the settlement service over HTTP (:mod:`zkats.server`), and
``zkats agent liquidate``: the autonomous liquidation agent."""

import json
import os
import time

import click

from . import main
from ._cluster import cluster_option, remote_prover


@main.command("serve")
@click.option(
    "--venue",
    "-V",
    "venue_dir",
    type=click.Path(file_okay=False),
    default=lambda: os.environ.get("ZKATS_VENUE", "."),
    help="Venue directory (keys, venue.json, operator.token).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--db",
    help="Ledger database: a SQLite path or sqlite:///PATH (default DIR/ledger.db), "
    "or postgresql://... (several servers may share one).",
)
@click.option(
    "--max-body",
    default=8 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1024, 256 * 1024 * 1024),
    help="Largest request body accepted (bytes).",
)
@click.option("--quiet", "-q", is_flag=True, help="No startup message.")
def serve(venue_dir, host, port, db, max_body, quiet):
    """Serve the venue's settlement service: JSON API under /v1, public ledger page at /.

    Submitting batches needs no credentials; publishing and closing oracle
    epochs needs the operator token (DIR/operator.token, made by `zkats venue
    init`), sent as `Authorization: Bearer TOKEN`.
    """
    # local import: a command loads what it needs when it runs (CLI start-up)
    import uvicorn

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..server.app import create_app
    from ..server.auth import token_path

    app = create_app(venue_dir, db=db, max_body=max_body)
    if not quiet:
        click.echo(
            f"zkats serve: http://{host}:{port}/ (API /v1, OpenAPI /openapi.json); "
            f"operator token in {token_path(venue_dir)}",
            err=True,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@main.group("agent")
def agent_group():
    """Autonomous agents that talk to a served venue."""


@agent_group.command("liquidate")
@click.option(
    "--service",
    required=True,
    default=lambda: os.environ.get("ZKATS_SERVICE"),
    help="URL of the settlement service (or $ZKATS_SERVICE).",
)
@click.option(
    "--capabilities",
    required=True,
    type=click.Path(file_okay=False, exists=True),
    help="Directory of liquidation capability files (accounts that delegated).",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False),
    help="Agent state file (default CAPABILITIES/agent-state.json).",
)
@click.option("--interval", default=2.0, show_default=True, type=float, help="Poll seconds.")
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.option("--json", "as_json", is_flag=True, help="Print each submission as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@cluster_option
def agent_liquidate(service, capabilities, state_file, interval, once, as_json, quiet, cluster):
    """Watch the service's epochs and liquidatable accounts; prove and submit
    the liquidation of every delegated account, once."""

    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..server.agent import LiquidationAgent

    t0 = time.perf_counter()
    progress = (
        None
        if quiet
        else (lambda m: click.echo(f"[{time.perf_counter() - t0:6.1f}s] {m}", err=True))
    )
    agent = LiquidationAgent(
        service,
        capabilities,
        state_file=state_file,
        progress=progress,
        remote=remote_prover(cluster),
    )

    def report(event):
        click.echo(
            json.dumps(event)
            if as_json
            else f"epoch {event['epoch_id']} account {event['account']}: {event['status']}"
            + (f" (batch {event['batch_id']})" if event.get("batch_id") else "")
            + (f": {event['error']}" if event.get("error") else "")
        )

    agent.run(report, interval=interval, once=once)
