"""``zkats cluster up|status|down``: a Ray head with a prover pool on it.

``up`` starts ``ray start --head --block`` as its own process group (so
``down`` ends exactly the processes ``up`` started), then starts the
pool's named, detached prover actors and prints the address that
``--cluster`` takes.  Other machines join with ``ray start --address
ADDRESS`` (docs/cluster.md).  The head's process id and address are kept in
``$ZKATS_CLUSTER_DIR`` (default ``~/.cache/zkats/cluster``).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click

from ..errors import InputError
from . import main


def _state_dir():
    d = os.environ.get("ZKATS_CLUSTER_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "zkats", "cluster"
    )
    Path(d).mkdir(parents=True, exist_ok=True)
    return Path(d)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ray_exe():
    exe = Path(sys.executable).parent / "ray"
    found = str(exe) if exe.exists() else shutil.which("ray")
    if not found:
        # local import: a command loads what it needs when it runs (CLI start-up)
        from ..cluster import ClusterError

        raise ClusterError("the cluster needs Ray: pip install 'zkats[cluster]' (PyPI package ray)")
    return found


def _port_open(host, port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


@main.group("cluster")
def cluster_group():
    """A Ray cluster with a prover pool (see docs/cluster.md)."""


@cluster_group.command("up")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the head binds to.")
@click.option("--port", default=6390, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Prover actors to start (default: the head's CPU count).",
)
@click.option("--num-cpus", type=click.IntRange(min=1), default=None, help="CPUs the head offers.")
@click.option("--timeout", default=120, show_default=True, help="Seconds to wait for the head.")
def cluster_up(host, port, workers, num_cpus, timeout):
    """Start a Ray head and the prover pool on it; prints ADDRESS."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..cluster import ClusterError
    from ..cluster._ray import connect
    from ..cluster.pool import start_workers

    state = _state_dir() / f"head-{port}.json"
    if state.exists():
        old = json.loads(state.read_text())
        if _alive(old["pid"]):
            raise ClusterError(f"a cluster is already up at {old['address']} (pid {old['pid']})")
        state.unlink()
    if _port_open(host, port):
        raise ClusterError(f"{host}:{port} is already in use")
    ncpu = num_cpus or os.cpu_count() or 1
    log_path = state.with_suffix(".log")
    cmd = [
        _ray_exe(),
        "start",
        "--head",
        "--block",
        f"--node-ip-address={host}",
        f"--port={port}",
        f"--num-cpus={ncpu}",
        "--include-dashboard=false",
        "--disable-usage-stats",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    address = f"{host}:{port}"
    state.write_text(json.dumps({"pid": proc.pid, "address": address}))
    deadline = time.monotonic() + timeout
    while not _port_open(host, port):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc.pid)
            state.unlink()
            tail = log_path.read_text(errors="replace")[-800:]
            raise ClusterError(f"the Ray head did not start (log {log_path}):\n{tail}")
        time.sleep(0.5)
    ray = connect(address)
    actors = start_workers(workers or ncpu, detached=True)
    pids = ray.get([a.ping.remote() for a in actors])
    click.echo(f"zkats: cluster up at {address}: {len(pids)} prover workers", err=True)
    click.echo(address)


@cluster_group.command("status")
@click.option("--cluster", "address", metavar="ADDRESS", required=True)
def cluster_status(address):
    """The pool's workers (pid, keys loaded, proofs made) and the cluster's CPUs."""
    # local import: a command loads what it needs when it runs (CLI start-up)
    from ..cluster._ray import connect
    from ..cluster.pool import named_workers

    ray = connect(address)
    infos = ray.get([a.info.remote() for a in named_workers()])
    click.echo(json.dumps({"cpus": ray.cluster_resources().get("CPU", 0), "workers": infos}))


def _stop(pid, grace=20.0):
    """End the process group ``up`` started (the head and its children)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
        except ChildProcessError:
            if not _alive(pid):
                break
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@cluster_group.command("down")
@click.option("--port", default=6390, show_default=True, type=click.IntRange(1, 65535))
def cluster_down(port):
    """Stop the head (and the pool) that `zkats cluster up --port PORT` started."""

    state = _state_dir() / f"head-{port}.json"
    if not state.exists():
        raise InputError(f"no cluster started by `zkats cluster up` on port {port}")
    info = json.loads(state.read_text())
    _stop(info["pid"])
    state.unlink()
    click.echo(f"zkats: cluster at {info['address']} stopped", err=True)
