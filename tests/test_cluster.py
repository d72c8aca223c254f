"""Proving on a Ray cluster (zkats.cluster): the prover pool and the
sharded prover on a local cluster bound to 127.0.0.1.

* the pool proves a stream of mixed jobs (two circom circuits, one of
  them circomlib's, set up by snarkjs, and two zkats circuits) while one worker is frozen with jobs
  queued at it and then killed: every job completes exactly once, every
  proof verifies (snarkjs too, one per circuit), keys are loaded once per
  worker process;
* the sharded prover with 2 and 3 shards on circomlib's comparators
  (circom2, snarkjs keys) and a zkats circuit:
  snarkjs verifies the proofs; a shard that returns a wrong partial result
  is named; an unsatisfied witness is told apart from a faulty shard;
* the command line: ``--cluster`` on ``zkats groth16 prove`` and ``zkats
  prove``, and ``zkats cluster up``/``status``/``down`` with a real head.

Under CI a missing Ray fails (it is the ``cluster`` extra ``make test``
installs), never skips.
"""

import faulthandler
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from _circomlib import compiled, dev_ptau, snarkjs
from _groth16_peers import run as run_peer, snarkjs_artifacts, witness_for
from _server_util import Server
from circuit_helpers import contributed_key
from cli_venue import crossing_orders, funded_venue, liquidate_args, match_args, ok, order_args
from conftest import _in_ci
from zkats.cluster.pool import _Slot
from zkats.errors import InputError, UnsatisfiedConstraint
from zkats.formats.snarkjs_json import (
    read_proof,
    read_public,
    write_proof,
    write_public,
    write_verification_key,
)
from zkats.formats.wtns import read_wtns_buffer, write_wtns
from zkats.formats.zkey import write_zkey
from zkats.formats.zkey_layout import open_zkey
from zkats.groth16.verifier import verify


def _require_ray():
    try:
        import ray  # noqa: F401
    except ImportError:
        msg = "ray is not installed (the cluster extra: make install)"
        if _in_ci():
            pytest.fail(msg)
        pytest.skip(msg)


#: no test of this module runs longer than this (seconds): a hang fails the
#: run with every thread's stack instead of stalling CI
TEST_LIMIT = 600


@pytest.fixture(autouse=True)
def _bounded():
    faulthandler.dump_traceback_later(TEST_LIMIT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def ray_local():
    """A private local Ray cluster (4 logical CPUs, 127.0.0.1) for the module."""
    _require_ray()
    from zkats.cluster._ray import connect

    ray = connect(None, num_cpus=4)
    yield ray
    ray.shutdown()


class Circ:
    """A circuit's key, vk.json and witnesses (bytes) for the tests."""

    def __init__(self, name, zkey, vk_json, witnesses):
        self.name, self.zkey, self.vk_json, self.witnesses = name, zkey, vk_json, witnesses
        self.vk = open_zkey(zkey).verifying_key()


def _circomlib_comparators(tmp_path_factory):
    """circomlib's comparators (LessThan, GreaterThan, IsEqual, IsZero,
    Num2Bits) compiled by circom2, keyed by snarkjs (setup and a
    contribution on a prepared ptau), two witnesses by snarkjs."""
    c = compiled("circomlib_comparators", tmp_path_factory)
    d = c.dir
    ptau = dev_ptau(10, tmp_path_factory)
    snarkjs("groth16", "setup", c.r1cs, ptau, d / "c0.zkey")
    snarkjs("zkey", "contribute", d / "c0.zkey", d / "c.zkey", "--name=cluster", "-e=cluster")
    snarkjs("zkey", "export", "verificationkey", d / "c.zkey", d / "vk.json")
    ws = []
    for i, inp in enumerate(({"a": "123456789", "b": "61728394"}, {"a": "7", "b": "9"})):
        (d / f"in{i}.json").write_text(json.dumps(inp))
        snarkjs("wtns", "calculate", c.wasm, d / f"in{i}.json", d / f"w{i}.wtns")
        ws.append(read_wtns_buffer(d / f"w{i}.wtns"))
    return Circ("comparators", d / "c.zkey", d / "vk.json", ws)


@pytest.fixture(scope="module")
def circuits(tmp_path_factory):
    """mulchain (circom2 + snarkjs), circomlib's comparators (circom2 +
    snarkjs) and the zkats circuits multiplier and divmod."""
    art = snarkjs_artifacts(tmp_path_factory)
    mul_w = [
        read_wtns_buffer(art.wtns),
        read_wtns_buffer(witness_for(art, {"a": 5, "b": 7}, "cl2")),
    ]
    out = {
        "mulchain": Circ("mulchain", art.zkey, art.vk, mul_w),
        "comparators": _circomlib_comparators(tmp_path_factory),
    }
    d = tmp_path_factory.mktemp("cluster")
    for name, inputs in (
        ("multiplier", [{"a": 3, "b": 11}, {"a": 6, "b": 7}]),
        ("divmod", [{"a": 100, "b": 7}, {"a": 12345, "b": 67}]),
    ):
        cc, zk = contributed_key(name)
        write_zkey(d / f"{name}.zkey", zk)
        write_verification_key(d / f"{name}.vk.json", zk.verifying_key())
        ws = []
        for i, inp in enumerate(inputs):
            write_wtns(d / f"{name}{i}.wtns", cc.solve(inp).values)
            ws.append(read_wtns_buffer(d / f"{name}{i}.wtns"))
        out[name] = Circ(name, d / f"{name}.zkey", d / f"{name}.vk.json", ws)
    out["dir"] = d
    out["snarkjs"] = art.snarkjs
    out["mulchain_wtns"] = art.wtns
    return out


def _snarkjs_ok(snarkjs, vk_json, proof, public, d, tag):
    write_proof(d / f"{tag}.proof.json", proof)
    write_public(d / f"{tag}.public.json", public)
    out = run_peer(
        [snarkjs, "groth16", "verify", vk_json, d / f"{tag}.public.json", d / f"{tag}.proof.json"],
        d,
    )
    return "OK" in out


# ---------------------------------------------------------------- the pool
def test_pool_stream_with_a_worker_killed(ray_local, circuits):
    from zkats.cluster.pool import ProverPool

    names = ("mulchain", "comparators", "multiplier", "divmod")
    stream = []
    for i in range(32):
        c = circuits[names[i % 4]]
        stream.append((f"req-{i}", c, c.witnesses[(i // 4) % 2]))
    with ProverPool(workers=2, depth=2) as pool:
        pool.warm(*(circuits[n].zkey for n in names))
        victim = pool.workers_info()[0]["pid"]
        os.kill(victim, signal.SIGSTOP)  # frozen: the jobs sent to it stay there
        try:
            jobs = [pool.submit(c.zkey, w, rid) for rid, c, w in stream[:12]]
            assert pool._slots[0].load == 2  # two jobs sit at the frozen worker
        finally:
            os.kill(victim, signal.SIGKILL)  # killed mid-stream, its jobs unfinished
        jobs += [pool.submit(c.zkey, w, rid) for rid, c, w in stream[12:]]
        # the same request id again: the same job, never a second proof
        assert pool.submit(stream[0][1].zkey, stream[0][2], "req-0") is jobs[0]
        pool.drain(timeout=TEST_LIMIT / 2)
        stats = dict(pool.stats)
        infos = pool.workers_info()
    assert stats["worker_deaths"] >= 2 and stats["retried"] >= 2, stats
    assert stats["completed"] == len(stream) and stats.get("failed", 0) == 0, stats
    assert stats["duplicates"] == 1
    assert {j.request_id for j in jobs} == {rid for rid, _, _ in stream}
    seen = {}
    for (rid, c, _w), job in zip(stream, jobs):
        proof, public = job.result()
        assert verify(c.vk, public, proof), rid
        seen.setdefault(c.name, (proof, public))
    assert any(j.attempts > 1 for j in jobs)
    # keys stay resident: each worker process opened each key at most once
    assert all(i["loads"] <= len(names) for i in infos), infos
    # each job proved once: the frozen worker proved nothing before it was killed
    assert sum(i["proved"] for i in infos) == len(stream), infos
    assert victim not in {i["pid"] for i in infos}  # Ray restarted the killed worker
    for name, (proof, public) in seen.items():
        c = circuits[name]
        assert _snarkjs_ok(circuits["snarkjs"], c.vk_json, proof, public, circuits["dir"], name)


def test_pool_back_pressure(ray_local, circuits):
    """At most ``depth`` jobs sit at a worker and at most ``max_pending`` are
    outstanding: ``submit`` waits (driving jobs home) beyond that."""
    from zkats.cluster.pool import ProverPool

    c = circuits["multiplier"]
    with ProverPool(workers=1, depth=1, max_pending=2) as pool:
        jobs, seen = [], []
        for i in range(6):
            jobs.append(pool.submit(c.zkey, c.witnesses[i % 2], f"bp-{i}"))
            seen.append((len(pool._queue) + len(pool._inflight), pool._slots[0].load))
        pool.drain(timeout=TEST_LIMIT / 2)
        assert pool.stats["backpressure_waits"] >= 4, dict(pool.stats)
    assert all(out <= 2 and at_worker <= 1 for out, at_worker in seen), seen
    for job in jobs:
        proof, public = job.result()
        assert verify(c.vk, public, proof)


def test_pool_worker_returning_bad_proofs(ray_local, circuits):
    """A worker whose proofs do not verify (a bug, a bad machine, a
    compromised node): the driver's check rejects them, the jobs are proved
    again on another worker, and only verified proofs are returned."""
    from zkats.cluster.pool import ProverPool, ProverWorker

    class BadWorker(ProverWorker):
        def prove(self, request_id, path, witness):
            rid, (a, b, c), public = super().prove(request_id, path, witness)
            return rid, (a, b, a), public  # C replaced: a wrong proof

    bad = ray_local.remote(num_cpus=0)(BadWorker).remote()
    c = circuits["divmod"]
    with ProverPool(workers=1) as pool:
        pool._slots.insert(0, _Slot(bad))  # now the first of two workers
        jobs = [pool.submit(c.zkey, c.witnesses[i % 2], f"bad-{i}") for i in range(6)]
        pool.drain(timeout=TEST_LIMIT / 2)
        stats = dict(pool.stats)  # closing the pool ends both workers
    assert stats["bad_results"] >= 1 and stats["completed"] == 6, stats
    assert stats.get("failed", 0) == 0, stats
    for job in jobs:
        proof, public = job.result()
        assert verify(c.vk, public, proof)
    assert any(j.attempts == 2 for j in jobs)


def test_pool_bad_jobs_fail_once_with_their_reason(ray_local, circuits):
    from zkats.cluster.pool import ProverPool

    c = circuits["multiplier"]
    bad = bytearray(c.witnesses[0])
    bad[-32] ^= 1  # the last wire: the witness no longer satisfies the circuit
    with ProverPool(workers=1) as pool:
        job = pool.submit(c.zkey, bytes(bad), "unsat")
        with pytest.raises(UnsatisfiedConstraint):
            job.result()
        assert job.attempts == 1  # the job's own fault: not retried
        with pytest.raises(InputError, match="job short: witness has"):
            pool.submit(c.zkey, c.witnesses[0][:-32], "short")
        assert pool.prove(c.zkey, c.witnesses[1])[1] == [42, 6]


# ---------------------------------------------------------------- sharding
@pytest.mark.parametrize("shards", [2, 3])
@pytest.mark.parametrize("name", ["comparators", "divmod"])
def test_sharded_proofs_verify_with_snarkjs(ray_local, circuits, name, shards):
    from zkats.cluster.sharded import ShardedProver

    c = circuits[name]
    key = open_zkey(c.zkey)
    point_bytes = sum(size for _, size in key.spans.values())
    with ShardedProver(c.zkey, shards=shards) as sp:
        held = [i["shard_bytes"] for i in sp.memory()]
        assert sum(held) == point_bytes and max(held) <= point_bytes // shards + 256
        for i, w in enumerate(c.witnesses):
            proof, public = sp.prove(w, timeout=TEST_LIMIT / 2)
            assert verify(c.vk, public, proof)
            tag = f"{name}-{shards}-{i}"
            assert _snarkjs_ok(circuits["snarkjs"], c.vk_json, proof, public, circuits["dir"], tag)
        assert len(sp.last_timings["shard_msm"]) == shards


def test_sharded_faulty_shard_is_named(ray_local, circuits):
    from zkats.cluster.sharded import ShardedProver, ShardFault

    c = circuits["divmod"]
    with ShardedProver(c.zkey, shards=3) as sp:
        for shard, section in ((1, "C"), (2, "H"), (0, "A")):
            sp.ray.get(sp.workers[shard].corrupt.remote(section))
            with pytest.raises(ShardFault, match=f"shard {shard} .*wrong {section} partial") as e:
                sp.prove(c.witnesses[0])
            assert (e.value.shard, e.value.section) == (shard, section)
            sp.ray.get(sp.workers[shard].corrupt.remote(None))
        proof, public = sp.prove(c.witnesses[0])  # healed: proves again
        assert verify(c.vk, public, proof)
        bad = bytearray(c.witnesses[0])
        bad[-32] ^= 1
        with pytest.raises(UnsatisfiedConstraint, match="every shard's partial"):
            sp.prove(bytes(bad))


def test_sharded_survives_a_dead_shard(ray_local, circuits):
    from zkats.cluster.sharded import ShardedProver

    c = circuits["mulchain"]
    with ShardedProver(c.zkey, shards=2) as sp:
        os.kill(sp.info[1]["pid"], signal.SIGKILL)  # Ray restarts it; it reloads its slice
        proof, public = sp.prove(c.witnesses[1])
        assert verify(c.vk, public, proof)
        assert sp.memory()[1]["pid"] != sp.info[1]["pid"]


# ---------------------------------------------------------------- command line
def test_cli_cluster_flag(ray_local, circuits, tmp_path):
    from zkats.cli import main

    address = ray_local.get_runtime_context().gcs_address
    c = circuits["mulchain"]
    pf, pub = tmp_path / "p.json", tmp_path / "pub.json"
    wt = circuits["mulchain_wtns"]
    for extra in ([], ["--shards", "2"]):
        pf.unlink(missing_ok=True)
        r = CliRunner().invoke(
            main,
            ["groth16", "prove", str(c.zkey), str(wt), str(pf), str(pub), "--cluster", address]
            + extra,
        )
        assert r.exit_code == 0, r.output
        assert verify(c.vk, read_public(pub), read_proof(pf))
    # zkats prove NAME: witness here, proof on the pool
    inp = tmp_path / "in.json"
    inp.write_text(json.dumps({"a": 6, "b": 7}))
    m = circuits["multiplier"]
    r = CliRunner().invoke(
        main,
        ["prove", "multiplier", str(inp), "-k", str(m.zkey), "-o", str(pf), "--public", str(pub)]
        + ["--cluster", address, "--quiet"],
    )
    assert r.exit_code == 0, r.output
    assert read_public(pub) == [42, 6] and verify(m.vk, [42, 6], read_proof(pf))
    r = CliRunner().invoke(
        main, ["groth16", "prove", str(c.zkey), str(wt), str(pf), str(pub), "--shards", "2"]
    )
    assert r.exit_code == 1 and "--shards needs --cluster" in r.output


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cluster_up_prove_status_down(circuits, tmp_path):
    """A real head from `zkats cluster up`: its named workers keep a key
    loaded across two `zkats groth16 prove --cluster` processes."""
    _require_ray()
    zkats = [sys.executable, "-m", "zkats.cli"]
    env = dict(os.environ, ZKATS_CLUSTER_DIR=str(tmp_path / "state"))
    port = _free_port()

    def cli(*args, timeout=300):
        return subprocess.run(
            zkats + [str(a) for a in args],
            env=env,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    up = cli("cluster", "up", "--port", port, "--workers", 2, "--num-cpus", 2)
    try:
        assert up.returncode == 0, up.stderr
        address = up.stdout.strip().splitlines()[-1]
        assert address == f"127.0.0.1:{port}"
        again = cli("cluster", "up", "--port", port)
        assert again.returncode == 1 and "already up" in again.stderr
        c = circuits["divmod"]
        for i in range(2):
            pf, pub = tmp_path / f"p{i}.json", tmp_path / f"pub{i}.json"
            wt = tmp_path / f"w{i}.wtns"
            wt.write_bytes(bytes(read_wtns_bytes(c, i)))
            r = cli("groth16", "prove", c.zkey, wt, pf, pub, "--cluster", address, "--quiet")
            assert r.returncode == 0, r.stderr
            assert verify(c.vk, read_public(pub), read_proof(pf))
        st = cli("cluster", "status", "--cluster", address)
        assert st.returncode == 0, st.stderr
        infos = json.loads(st.stdout)["workers"]
        assert len(infos) == 2 and sum(i["proved"] for i in infos) == 2
        assert all(i["loads"] <= 1 for i in infos)  # loaded once per worker, not per job
    finally:
        down = cli("cluster", "down", "--port", port)
    assert down.returncode == 0, down.stderr
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
        time.sleep(0.5)
    else:
        pytest.fail("the head still listens after `zkats cluster down`")


def read_wtns_bytes(c, i):
    """A .wtns file's bytes for witness i of a zkats circuit (written by the fixture)."""
    return (c.zkey.parent / f"{c.name}{i}.wtns").read_bytes()


def test_venue_operator_commands_on_the_pool(ray_local, tmp_path):
    """`zkats match`, `zkats liquidate` and the liquidation agent (`zkats
    agent liquidate` against a served venue) with --cluster: their proofs are
    made on the pool (its worker's count of proofs grows with each) and the
    ledger accepts them."""
    from zkats.cluster.pool import start_workers

    address = ray_local.get_runtime_context().gcs_address
    # a named worker, as `zkats cluster up` starts: every command uses it
    (worker,) = start_workers(1, detached=True)
    try:
        _venue_on_the_pool(ray_local, worker, address, tmp_path)
    finally:
        ray_local.kill(worker)


def _venue_on_the_pool(ray, worker, address, tmp_path):
    def proved():
        return ray.get(worker.info.remote())["proved"]

    v, _ = funded_venue(tmp_path, deposits=(("a", 50_000), ("b", 90_000), ("c", 50_000)))
    crossing_orders(v, tmp_path)
    assert proved() == 0
    ok(
        *match_args(v, tmp_path, tmp_path / "t.json", "--prove-orders", "--settle", "-q")
        + ("--cluster", address)
    )
    n = proved()
    assert n >= 1
    # a second trade, party by party: c buys 3 lots from b; the operator
    # proves the match on its pool (`trade match`), each trader its own leg
    # on its own (here: the same) pool (`trade confirm`)
    t = tmp_path
    ok(*order_args(v, t / "c.wallet", "buy", 3, 60_100, t / "c.order"))
    ok(*order_args(v, t / "b.wallet", "sell", 3, 59_900, t / "b2.order"))
    ok(
        *("trade", "match", "-V", v, t / "c.order", t / "b2.order", "--prove-orders"),
        *("-o", t / "partial.json", "--confirm-a", t / "c.conf", "--confirm-b", t / "b.conf"),
        *("-q", "--cluster", address),
    )
    assert proved() > n
    n = proved()
    for side, who in (("a", "c"), ("b", "b")):
        ok(
            *("trade", "confirm", t / f"{who}.conf", "-w", t / f"{who}.wallet", "-V", v),
            *("-o", t / f"leg_{side}.json", "-q", "--cluster", address),
        )
    assert proved() == n + 2
    n = proved()
    ok(
        *("trade", "assemble", "-V", v, t / "partial.json", t / "leg_a.json", t / "leg_b.json"),
        *("-o", t / "t2.json", "--settle", "-q"),
    )
    # the mark falls: a and c (long 3 on 50,000 each) fail maintenance margin
    ok("oracle", "publish", "-V", v, "--mark", "BTC-PERP=44000", "-q")
    ok("venue", "advance-clock", "-V", v, 4000)
    marked = json.loads(ok("oracle", "close", "-V", v, "--json").stdout)["liquidatable"]
    pending = len(marked)
    assert pending >= 2  # neither account proved its health
    # the risk engine proves with a's liquidation capability
    ok("keys", "export", tmp_path / "a.wallet", "--liquidation", "-o", tmp_path / "a.cap")
    ok(*liquidate_args(v, tmp_path / "a.cap", tmp_path / "l.json", "--cluster", address))
    s = json.loads(ok("ledger", "show", "-V", v, "--json").stdout)
    assert s["trades"] == 2 and s["liquidatable_pending"] == pending - 1
    assert proved() == n + 1
    # the liquidation agent, holding c's capability, on the served venue
    caps = tmp_path / "caps"
    caps.mkdir()
    ok("keys", "export", tmp_path / "c.wallet", "--liquidation", "-o", caps / "c.cap")
    with Server(v) as srv:
        r = ok(
            *("agent", "liquidate", "--service", srv.url, "--capabilities", caps),
            *("--once", "--json", "-q", "--cluster", address),
        )
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert [e["status"] for e in events] == ["applied"], events
    s = json.loads(ok("ledger", "show", "-V", v, "--json").stdout)
    assert s["liquidatable_pending"] == pending - 2
    assert proved() == n + 2
