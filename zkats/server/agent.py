"""The autonomous liquidation agent (``zkats agent liquidate``).

It watches a served venue's oracle epochs and the accounts the ledger marks
liquidatable (no health proof by an epoch's deadline), and for every marked
account that delegated to it (a capability file in ``--capabilities DIR``)
proves the liquidation and submits it, once.

**The capability seam.**  :func:`load_capability` is the one place that
knows what a capability file is: the account's liquidation capability
(``zkats keys export --liquidation``; the owner's wallet file also works).
The agent asks a capability for its ``account`` and for ``prove(venue,
epoch_id) -> Item``.  A capability exported once stays usable: before
proving, the file follows the account to its live note by decrypting the
ledger's note ciphertexts with the viewing secret it carries
(:meth:`zkats.venue.workflow.Wallet.sync`), so trades made after the
delegation do not hide the account from the agent.

**No double submission across restarts.**  The agent's state file (JSON,
written atomically with fsync, mode 0600 because it sits beside secrets)
records ``submitting`` before a liquidation is sent and ``applied`` (with
the batch id) or ``rejected`` after.  On start, and on every pass, records
are reconciled with the ledger: an account no longer pending was liquidated
(by this agent before a crash, or by anyone) and is never submitted again;
one still pending after a ``submitting`` record was not applied (the
service refused it or never received it) and may be sent again: the ledger
itself refuses a second liquidation of the same account and epoch.

With an operator token (``$ZKATS_OPERATOR_TOKEN``) the agent also closes
epochs whose health deadline has passed, which is what marks accounts.
"""

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, LedgerError, ZkatsError
from ..venue import workflow
from ..venue.batch import Batch
from .client import Client, RemoteVenue, operator_token

STATE_FILE = "agent-state.json"


# --------------------------------------------------------------------------
# the capability seam
# --------------------------------------------------------------------------


@dataclass
class WalletCapability:
    """A delegated account's liquidation capability file (``zkats keys export
    --liquidation``; the owner's wallet file also works)."""

    path: Path
    account: str

    def prove(self, venue, epoch_id):
        """The liquidation item for ``epoch_id`` (proved with today's circuit)."""
        wallet = workflow.Wallet.load(self.path)
        return venue.liquidate(wallet, epoch_id)


def load_capability(path):
    """A liquidation capability file -> an object with ``account`` and
    ``prove(venue, epoch_id)``.  The one place that reads capability files."""
    d = workflow.read_json(path)
    if isinstance(d, dict) and d.get("kind") in ("zkats-liquidation-capability", "zkats-wallet"):
        w = workflow.Wallet.load(path)
        return WalletCapability(Path(path), str(w.account))
    raise InputError(f"{path}: not a liquidation capability file")


def load_capabilities(directory):
    """{account: capability} for every capability file in ``directory``."""
    caps = {}
    for p in sorted(Path(directory).iterdir()):
        if p.name == STATE_FILE or p.name.startswith(".") or not p.is_file():
            continue
        if p.suffix not in (".wallet", ".json", ".cap"):
            continue
        cap = load_capability(p)
        if cap.account in caps:
            raise InputError(f"{p}: a second capability for account {cap.account[:16]}")
        caps[cap.account] = cap
    return caps


# --------------------------------------------------------------------------
# state
# --------------------------------------------------------------------------


class AgentState:
    """``{"submissions": {"EPOCH:ACCOUNT": {"status": ..., ...}}}`` on disk."""

    def __init__(self, path):
        self.path = Path(path)
        self.data = {"kind": "zkats-agent-state", "submissions": {}}
        if self.path.exists():
            d = workflow.read_json(self.path, "zkats-agent-state")
            if not isinstance(d.get("submissions"), dict):
                raise InputError(f"{self.path}: malformed agent state")
            self.data = d

    @property
    def submissions(self):
        return self.data["submissions"]

    def set(self, key, **record):
        self.submissions[key] = dict(record, updated=int(time.time()))
        self.save()

    def save(self):
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        dfd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _key(epoch_id, account):
    return f"{int(epoch_id)}:{account}"


# --------------------------------------------------------------------------
# the agent
# --------------------------------------------------------------------------


class LiquidationAgent:
    def __init__(self, url, capabilities, state_file=None, progress=None, token=None, remote=None):
        """``remote``: a ``prove(zkey_path, witness)`` that proves elsewhere
        (``--cluster``: the agent's own prover pool), or None (in-process)."""
        self.url = url
        self.remote = remote
        self.cap_dir = Path(capabilities)
        self.caps = load_capabilities(self.cap_dir)
        self.state = AgentState(state_file or self.cap_dir / STATE_FILE)
        self.progress = progress
        self.client = Client(url, token=operator_token(token))
        self._venue = None

    def _say(self, msg):
        if self.progress:
            self.progress(msg)

    def venue(self):

        if self._venue is None:
            self._venue = RemoteVenue(self.url, progress=self.progress, client=self.client)
            self._venue.remote = self.remote
        else:
            self._venue.refresh()
        return self._venue

    def close(self):
        self.client.close()

    def close_due_epochs(self):
        """With an operator token: close epochs past their deadline."""
        if not self.client._token:
            return []
        info = self.client.epochs()
        closed = []
        for e in info["epochs"]:
            if e["closed_at"] is None and info["now"] >= e["deadline"]:
                r = self.client.close_epoch(e["epoch_id"])
                self._say(f"closed epoch {e['epoch_id']}: {len(r['liquidatable'])} marked")
                closed.append(e["epoch_id"])
        return closed

    def reconcile(self):
        """Records of accounts the ledger no longer lists as pending are done."""
        done = []
        rows = {(r["epoch_id"], r["account"]): r for r in self.client.liquidatable()}
        for key, rec in list(self.state.submissions.items()):
            if rec["status"] not in ("submitting", "rejected"):
                continue
            eid, acct = key.split(":", 1)
            row = rows.get((int(eid), acct))
            if row is not None and row["liquidated_batch"] is not None:
                self.state.set(key, status="applied", batch_id=row["liquidated_batch"])
                done.append(key)
        return done

    def pass_once(self, report=None):
        """One pass; returns the events (also given to ``report``)."""
        events = []
        self.close_due_epochs()
        self.reconcile()
        pending = self.client.liquidatable(pending=True)
        for row in pending:
            acct, eid = row["account"], row["epoch_id"]
            cap = self.caps.get(acct)
            if cap is None:
                continue
            key = _key(eid, acct)
            rec = self.state.submissions.get(key)
            if rec is not None and rec["status"] == "applied":
                continue
            if rec is not None and rec["status"] == "rejected" and rec.get("final"):
                continue
            self._say(f"liquidate account {acct[:16]} at epoch {eid}")
            try:
                item = cap.prove(self.venue(), eid)
            except ZkatsError as err:
                self.state.set(key, status="rejected", error=str(err), final=True)
                ev = {"epoch_id": eid, "account": acct, "status": "cannot prove", "error": str(err)}
                events.append(ev)
                continue
            self.state.set(key, status="submitting")
            try:
                r = self.client.submit(_batch([item]))
            except LedgerError as err:
                # refused: nothing applied.  A later pass reconciles with the ledger
                self.state.set(key, status="rejected", error=str(err))
                ev = {"epoch_id": eid, "account": acct, "status": "rejected", "error": str(err)}
            else:
                self.state.set(key, status="applied", batch_id=r["batch_id"])
                ev = {
                    "epoch_id": eid,
                    "account": acct,
                    "status": "applied",
                    "batch_id": r["batch_id"],
                }
            events.append(ev)
        for ev in events:
            if report:
                report(ev)
        return events

    def run(self, report=None, interval=2.0, once=False, max_passes=None):
        n = 0
        try:
            while True:
                try:
                    self.pass_once(report)
                except ZkatsError as err:
                    if once:
                        raise
                    self._say(f"pass failed: {err}")
                n += 1
                if once or (max_passes is not None and n >= max_passes):
                    return
                time.sleep(interval)
        finally:
            self.close()


def _batch(items):

    return Batch(tuple(items))
