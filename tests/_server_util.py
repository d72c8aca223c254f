"""Helpers for the server tests: a venue whose verifying keys have a known
trapdoor (so valid Groth16 proofs are cheap to make), batch builders, and a
``zkats serve`` subprocess.

TEST DOUBLE: the keys come from ``_groth16_sim.sim_key``; the proofs satisfy
the real verification equation (the service verifies them for real, batched
per circuit).  A and B are fixed per circuit and only C depends on the public
signals: one native G1 multiplication per proof.  Netting proofs are real
Schnorr proofs over real Pedersen legs.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from _groth16_sim import G1, G2, sim_key
from _settlement_util import ORACLE
from zkats import bn254
from zkats.circuits._statement import carried_hash
from zkats.domain import instruments
from zkats.domain.note_cipher import N_CT
from zkats.field import R
from zkats.formats.snarkjs_json import write_verification_key
from zkats.groth16 import _curve
from zkats.groth16.data_structures import Proof
from zkats.venue import batch as B, workflow
from zkats.venue.rules import circuits as venue_circuits
from zkats.venue.workflow import write_secret

ROOT = Path(__file__).resolve().parent.parent
ASSET = 7
ZKATS = [sys.executable, "-m", "zkats.cli"]


class SimProver:
    """Valid proofs for the sim keys written by :func:`sim_venue`."""

    def __init__(self, seed=0):
        self.td, self.vk, self.fixed, self.n_public = {}, {}, {}, {}
        for i, (name, statement) in enumerate(sorted(venue_circuits().items())):
            self.n_public[name] = statement.n_public()
            vk, td = sim_key(statement.n_public(), seed=seed * 100 + i)
            a, b = td["rnd"].randrange(1, R), td["rnd"].randrange(1, R)
            self.td[name], self.vk[name] = td, vk
            self.fixed[name] = (a, b, _curve.g1_mul(G1, a), _curve.g2_mul(G2, b))

    def write_keys(self, keys_dir):
        keys_dir.mkdir(parents=True, exist_ok=True)
        for name, vk in self.vk.items():
            write_verification_key(keys_dir / f"{name}.vkey.json", vk)

    def proof(self, circuit, public):
        td = self.td[circuit]
        a, b, pa, pb = self.fixed[circuit]
        lin = (td["ic"][0] + sum(x * k for x, k in zip(public, td["ic"][1:]))) % R
        c = (a * b - td["alpha"] * td["beta"] - lin * td["gamma"]) * pow(td["delta"], -1, R) % R
        return Proof(a=pa, b=pb, c=bn254.g1_mul(G1, c))

    def bundle(self, circuit, public):
        """A bundle of the record ``public`` (its Groth16 inputs proved)."""
        proof = self.proof(circuit, public[: self.n_public[circuit]])
        return B.ProofBundle(circuit, tuple(public), proof)


def sim_venue(directory, prover, clock_offset=0):
    """A development venue directory with the sim verifying keys (no proving keys)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    prover.write_keys(d / "keys")
    perp = instruments.perpetual("BTC", tick=1)
    meta = {
        "kind": "zkats-venue",
        "version": 1,
        "development_keys": True,
        "instruments": {"BTC-PERP": str(perp.id)},
        "epochs": {},
        "clock_offset": clock_offset,
        "oracle_key": [str(c) for c in ORACLE.pub],
    }
    (d / "venue.json").write_text(json.dumps(meta))
    write_secret(d / workflow.ORACLE_KEY_FILE, ORACLE.to_json())
    return d


def rand():
    return secrets.randbelow(R - 1) + 1


def _ct():
    """A record's tail for a stand-in note ciphertext (the sim verifier
    accepts any signals): its public hash, then the words."""
    words = [rand() for _ in range(N_CT)]
    return [carried_hash("ciphertext", words), *words]


def deposit_item(prover, root, nullifier=None, commitment=None, account=None, amount=100):
    pub = [
        root,
        rand() if nullifier is None else nullifier,
        rand() if commitment is None else commitment,
        rand() if account is None else account,
        ASSET,
        amount,
        *_ct(),
    ]
    return B.Item("deposit", {"deposit": prover.bundle("deposit", pub)})


def deposit_batch(prover, root, n=1):
    return B.Batch([deposit_item(prover, root) for _ in range(n)])


def _leg_pair(value):
    from zkats.commit import netting
    from zkats.commit.pedersen import L, commit_signed

    r1, r2 = secrets.randbelow(L), secrets.randbelow(L)
    legs = [commit_signed([value], r1), commit_signed([-value], r2)]
    return legs, netting.prove(legs, [r1, r2])


def trade_items(prover, root, epoch_id, epoch_hash, instrument, now):
    """[order a, order b, trade] with fresh points: a valid trade opening its own orders."""
    (leg_a, leg_b), net = _leg_pair(secrets.randbelow(1000) + 1)
    pts = [(rand(), rand()) for _ in range(4)]  # order a, order b, rem a, rem b
    ta, tb = rand(), rand()
    orders = [
        B.Item("order", {"order": prover.bundle("order", [pts[i][0], pts[i][1], now])})
        for i in (0, 1)
    ]
    match = [instrument, now, 0, 0, *pts[0], *pts[1], *pts[2], *pts[3], *leg_a, *leg_b, ta, tb]
    legs = {
        "leg_a": [root, rand(), rand(), instrument, *leg_a, ta, epoch_id, epoch_hash, 0, *_ct()],
        "leg_b": [root, rand(), rand(), instrument, *leg_b, tb, epoch_id, epoch_hash, 0, *_ct()],
    }
    trade = B.Item(
        "trade",
        {
            "match": prover.bundle("match", match),
            "leg_a": prover.bundle("transition", legs["leg_a"]),
            "leg_b": prover.bundle("transition", legs["leg_b"]),
        },
        netting=B.NettingProof(R=net.R, s=net.s),
    )
    return orders + [trade]


def nullifiers_of(batch):
    statements = venue_circuits()
    out = []
    for it in batch.items:
        for b in it.proofs.values():
            sig = statements[b.circuit].decode(b.public).as_dict()
            if "nullifier" in sig and b.circuit != "health":
                out.append(str(sig["nullifier"]))
    return out


# --------------------------------------------------------------------------
# a server subprocess
# --------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``zkats serve`` in a subprocess on 127.0.0.1 (restartable)."""

    def __init__(self, venue_dir, db=None, port=None, env=None):
        self.venue_dir, self.db = Path(venue_dir), db
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.log = self.venue_dir / f"server-{self.port}.log"

    def start(self, timeout=60):
        cmd = ZKATS + ["serve", "-V", str(self.venue_dir), "--port", str(self.port), "-q"]
        if self.db:
            cmd += ["--db", self.db]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=60):
        import httpx

        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout} s")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def token(venue_dir):
    return (Path(venue_dir) / "operator.token").read_text().strip()


# --------------------------------------------------------------------------
# a bounded load driver (threads of httpx clients on 127.0.0.1)
# --------------------------------------------------------------------------


class Load:
    """Submitters sending valid batches, replays and conflicting double spends.

    Every request's outcome is recorded: ``acked`` (digest -> receipt) for
    201s, ``replays`` (status, error) and ``conflicts`` (group -> list of
    (status, digest)).  ``errors`` collects transport failures (a killed
    server) and unexpected statuses.
    """

    def __init__(self, urls, prover, root, mix=(0.6, 0.2, 0.2), items=(1, 3)):
        import threading

        self.urls = list(urls)
        self.prover, self.root = prover, root
        self.mix, self.items = mix, items
        self.lock = threading.Lock()
        self.acked, self.sent = {}, {}
        self.replays, self.conflicts, self.partners = [], {}, []
        self.latencies, self.errors, self.lost, self.late = [], [], [], []
        self.stop = threading.Event()

    def _new_batch(self, rng):
        return deposit_batch(self.prover, self.root, n=rng.randint(*self.items))

    def _post(self, http, url, batch):
        body = B.dumps(batch)
        t0 = time.perf_counter()
        r = http.post(url + "/v1/batches", content=body)
        return r, time.perf_counter() - t0

    def submitter(self, seed):
        import random

        import httpx

        rng = random.Random(seed)
        with httpx.Client(timeout=120) as http:
            while not self.stop.is_set():
                url = self.urls[rng.randrange(len(self.urls))]
                with self.lock:
                    partner = self.partners.pop() if self.partners else None
                    acked = list(self.acked.values()) if rng.random() < self.mix[1] else []
                kind = "conflict-b" if partner else None
                if kind is None:
                    x = rng.random()
                    kind = "valid" if x < self.mix[0] else "replay" if acked else "valid"
                    if x >= self.mix[0] + self.mix[1]:
                        kind = "conflict-a"
                if kind == "valid":
                    batch = self._new_batch(rng)
                elif kind == "replay":
                    batch = rng.choice(acked)["batch"]
                elif kind == "conflict-a":
                    n = rand()
                    batch = B.Batch([deposit_item(self.prover, self.root, nullifier=n)])
                    other = B.Batch([deposit_item(self.prover, self.root, nullifier=n)])
                    group = str(n)
                    with self.lock:
                        self.conflicts[group] = []
                        self.partners.append((group, other))
                else:
                    group, batch = partner
                digest = batch.digest()
                with self.lock:
                    self.sent[digest] = batch
                retried = False
                while True:  # a client retries what it never heard back about
                    try:
                        r, dt = self._post(http, url, batch)
                        break
                    except httpx.HTTPError as err:
                        with self.lock:
                            if not retried:
                                self.lost.append((kind, digest, type(err).__name__))
                        retried = True
                        time.sleep(0.2)
                if retried and r.status_code == 409 and kind == "valid":
                    # applied before the server died, the answer was lost
                    with self.lock:
                        self.late.append(digest)
                        self.acked[digest] = {"batch": batch, "receipt": None}
                    continue
                with self.lock:
                    if r.status_code == 201:
                        self.latencies.append(dt)
                    if kind in ("valid",) and r.status_code == 201:
                        self.acked[digest] = {"batch": batch, "receipt": r.json()}
                    elif kind in ("conflict-a", "conflict-b"):
                        g = group
                        self.conflicts[g].append((r.status_code, digest, r.json()))
                        if r.status_code == 201:
                            self.acked[digest] = {"batch": batch, "receipt": r.json()}
                    elif kind == "replay":
                        self.replays.append((r.status_code, r.json().get("error", "")))
                    else:
                        self.errors.append((kind, r.status_code, r.text[:200]))

    def run(self, n_threads, seconds, during=None):
        import threading

        threads = [threading.Thread(target=self.submitter, args=(i,)) for i in range(n_threads)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        try:
            if during is not None:  # runs the load for as long as ``during`` runs
                during(self)
            while seconds is not None and time.perf_counter() - t0 < seconds:
                time.sleep(0.2)
        finally:
            self.stop.set()
            for t in threads:
                t.join(180)
        self.seconds = time.perf_counter() - t0
        return self

    def figures(self):
        lat = sorted(self.latencies)

        def pct(p):
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

        return {
            "seconds": round(self.seconds, 1),
            "applied": len(self.acked),
            "batches_per_s": round(len(self.acked) / self.seconds, 1),
            "p50_ms": round(pct(0.50), 1),
            "p95_ms": round(pct(0.95), 1),
            "replays": len(self.replays),
            "conflict_groups": len(self.conflicts),
        }


def ledger_snapshot(url):
    """Every batch (with its nullifiers and notes) and the leaves, from the API."""
    import httpx

    with httpx.Client(base_url=url, timeout=120) as http:
        batches, after = [], 0
        while True:
            page = http.get("/v1/batches", params={"after": after, "limit": 1000}).json()
            page = page["batches"]
            batches += page
            if len(page) < 1000:
                break
            after = page[-1]["batch_id"]
        full = [http.get(f"/v1/batches/{b['batch_id']}").json() for b in batches]
        notes, after = [], -1
        while True:
            page = http.get("/v1/notes", params={"after": after, "limit": 1000}).json()["notes"]
            notes += page
            if len(page) < 1000:
                break
            after = page[-1]["leaf_index"]
        cur = http.get("/v1/roots/current").json()
    return full, notes, cur


def root_of_leaves(leaves, depth=16):
    """The Poseidon Merkle root of ``leaves`` (left to right), recomputed from scratch."""
    from zkats.domain.fast_hash import hash2
    from zkats.venue.merkle_store import zero_hashes

    zeros = zero_hashes(depth, hash2)
    level = [int(x) for x in leaves]
    for d in range(depth):
        if len(level) % 2:
            level.append(zeros[d])
        pairs = [(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        level = hash2.many(pairs) if pairs else []
    return level[0] if level else zeros[depth]


def check_consistent(load, url):
    """The ledger after a load run: each acknowledged batch applied exactly once
    and whole; nothing applied that was never sent; the root recomputed from
    the leaves equals the ledger's.  Returns (batches, unacked_applied)."""
    batches, notes, cur = ledger_snapshot(url)
    digests = [b["digest"] for b in batches]
    assert len(digests) == len(set(digests)), "a batch was applied twice"
    by_digest = {b["digest"]: b for b in batches}
    missing = [d for d in load.acked if d not in by_digest]
    assert not missing, f"{len(missing)} acknowledged batches lost"
    unacked = [d for d in by_digest if d not in load.acked]
    for d, b in by_digest.items():
        assert d in load.sent, "a batch nobody sent was applied"
        expect = sorted(nullifiers_of(load.sent[d]))
        assert sorted(b["nullifiers"]) == expect, f"batch {b['batch_id']} is not whole"
        assert len(b["notes"]) == len(load.sent[d].items)
    assert [n["leaf_index"] for n in notes] == list(range(len(notes)))
    assert root_of_leaves([n["commitment"] for n in notes]) == int(cur["root"])
    return batches, unacked
