"""State for ``zkats chain``: the chain lives in-process (py-evm), so a
command cannot attach to a running node.  Instead a chain directory holds

* ``vk/NAME.vkey.json`` — the verifying keys the escrow was deployed with
  (its batch verifier takes them), and ``zkey/NAME.zkey`` for the
  circuits the chain's own calls prove (:data:`PROVED`: ``settle`` proves
  the tree appends, ``epoch`` the oracle's signature);
* ``chain.json`` — the journal: genesis timestamp, the escrow's force
  timeout, the oracle's public key, and every SUCCESSFUL transaction (kind, sender index, arguments
  as integers, the leaves it appended, block timestamp).

Each command rebuilds the chain by replaying the journal into a fresh
py-evm with the same genesis timestamp (eth-tester's accounts and contract
addresses are deterministic; the clock is moved to each recorded
timestamp before its transaction), then runs its own transaction and
appends it.  Replaying re-verifies every proof, so commands get slower as
the journal grows: this is a development chain, not a node.  The file is
written atomically (rename)."""

import json
import os
from pathlib import Path

from ..errors import InputError
from .devkeys import ESCROW_CIRCUITS
from .escrow import FORCE_TIMEOUT, Escrow
from .evm import Chain, ChainError

#: circuits whose proving keys the chain directory keeps (proved by its own calls)
PROVED = ("insert", "oracle_epoch")


class ChainDir:
    def __init__(self, path):
        self.path = Path(path)
        self.file = self.path / "chain.json"

    # -- creation
    @classmethod
    def create(cls, path, vk_files, zkeys, oracle, force_timeout=FORCE_TIMEOUT):
        """``vk_files``: {circuit: snarkjs verification-key JSON path};
        ``zkeys``: {circuit: .zkey path} for :data:`PROVED`; ``oracle``: the
        oracle's public key (x, y)."""
        import shutil

        from ..formats.snarkjs_json import read_verification_key, write_verification_key

        d = cls(path)
        if d.file.exists():
            raise InputError(f"{d.file}: a chain already exists here")
        (d.path / "vk").mkdir(parents=True, exist_ok=True)
        for name in ESCROW_CIRCUITS:
            write_verification_key(
                d.path / "vk" / f"{name}.vkey.json", read_verification_key(vk_files[name])
            )
        (d.path / "zkey").mkdir(exist_ok=True)
        for name in PROVED:
            shutil.copyfile(zkeys[name], d.path / "zkey" / f"{name}.zkey")
        probe = Chain()
        d._write(
            {
                "version": 1,
                "genesis_timestamp": probe.now(),
                "force_timeout": int(force_timeout),
                "oracle": [str(int(c)) for c in oracle],
                "txs": [],
            }
        )
        return d

    def _read(self):
        try:
            data = json.loads(self.file.read_text())
        except FileNotFoundError:
            raise InputError(f"{self.file}: no chain here (run `zkats chain deploy`)") from None
        except ValueError as err:
            raise InputError(f"{self.file}: not a chain journal ({err})") from None
        if not isinstance(data, dict) or data.get("version") != 1:
            raise InputError(f"{self.file}: unknown journal version")
        return data

    def _write(self, data):
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n")
        os.replace(tmp, self.file)

    # -- replay
    def open(self):
        """(escrow, journal data) with every recorded transaction replayed."""
        from ..formats.snarkjs_json import read_verification_key

        data = self._read()
        chain = Chain(genesis_timestamp=data["genesis_timestamp"])
        vks = {
            n: read_verification_key(self.path / "vk" / f"{n}.vkey.json") for n in ESCROW_CIRCUITS
        }
        esc = Escrow.deploy(
            chain,
            vks,
            self._prover(),
            force_timeout=data["force_timeout"],
            oracle=[int(c) for c in data["oracle"]],
        )
        for i, tx in enumerate(data["txs"]):
            chain.time_travel_to(tx["ts"])
            try:
                self._run(esc, tx)
            except ChainError as err:
                raise InputError(
                    f"{self.file}: transaction {i} ({tx['kind']}) no longer replays: {err}"
                ) from None
        return esc, data

    def _prover(self):
        """The prover of :data:`PROVED` (the proving keys kept in the directory)."""
        from ..circuit import compile_circuit
        from ..formats.zkey import read_zkey
        from ..groth16.prover import prove
        from .devkeys import circuit_class, statement

        cache: dict = {}

        def run(name, pub, prv):
            if name not in cache:
                cache[name] = (
                    read_zkey(self.path / "zkey" / f"{name}.zkey"),
                    compile_circuit(statement(name)),
                )
            zk, cc = cache[name]
            w = cc.solve(circuit_class(name)[0].inputs(pub, prv))
            proof, public = prove(zk, w.limbs(), check=True)
            return proof, [int(x) for x in public]

        return run

    @staticmethod
    def _run(esc, tx):
        a, who = tx["args"], esc.chain.accounts[tx["sender"]]
        f = esc.contract.functions
        if tx["kind"] == "mint":
            esc._tx(esc.token.functions.mint(who, a[0]))
            return esc._tx(esc.token.functions.approve(esc.contract.address, a[0]), sender=who)
        call = {
            "deposit": lambda: f.deposit(a[0], a[1], a[2]),
            "reject_deposit": lambda: f.rejectDeposit(a[0], a[1], a[2]),
            "settle": lambda: f.settle(a[0]),
            "epoch": lambda: f.publishEpoch(a[0], a[1], a[2], a[3]),
            "request_exit": lambda: f.requestExit(a[0], a[1], a[2]),
            "complete_exit": lambda: f.completeExit(a[0]),
        }[tx["kind"]]()
        rc = esc._tx(call, sender=who)
        esc._appended(tx.get("leaves", []))
        return rc

    def run(self, kind, args, sender=0, advance=0, leaves=()):
        """Replay, move the clock to max(last, wall clock) + ``advance``,
        run one transaction and record it; returns (escrow, receipt).
        ``args`` may be a function of the replayed escrow returning (args,
        the leaves the transaction appends)."""
        import time

        esc, data = self.open()
        chain = esc.chain
        chain.time_travel_to(max(chain.now(), int(time.time())) + int(advance))
        if callable(args):
            args, leaves = args(esc)
        tx = {"kind": kind, "sender": int(sender), "args": args, "leaves": [int(x) for x in leaves]}
        rc = self._run(esc, tx)
        tx["ts"] = chain.w3.eth.get_block(rc.blockNumber).timestamp
        data["txs"].append(tx)
        self._write(data)
        return esc, rc
