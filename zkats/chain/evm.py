"""Run contracts in an in-process py-evm (``eth-tester[py-evm]`` +
``web3``, the ``evm`` extra), and compile Solidity with solcjs (npm
``solc``, pinned in package.json).

Running needs only the ``evm`` extra: ``zkats chain`` deploys the compiled
artifacts shipped in the package (:mod:`.artifacts`).  Compiling (tests,
benchmarks, ``make chain-artifacts``, verifiers exported for arbitrary
keys) needs ``node`` on PATH and the npm peers in the repository's
``node_modules`` (``make peers``); compiler output and circomlibjs'
generated Poseidon bytecode are cached under ``~/.cache/zkats/evm`` keyed
by the sha256 of their inputs."""

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import ZkatsError

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
CACHE = Path(os.environ.get("ZKATS_EVM_CACHE", Path.home() / ".cache" / "zkats" / "evm"))


class ChainError(ZkatsError):
    """A transaction reverted (``reason`` holds the revert string) or the
    chain tooling is missing."""

    def __init__(self, message, reason=None):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list
    bytecode: str  # 0x-prefixed creation code


def _node():
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "solc").is_dir():
        raise ChainError("node and the npm peers are needed (run `make peers`)")
    return node


def _npm_version(package):
    pkg = ROOT / "node_modules" / package / "package.json"
    try:
        return json.loads(pkg.read_text())["version"]
    except (OSError, ValueError, KeyError):
        raise ChainError("node and the npm peers are needed (run `make peers`)") from None


def solc_version():
    """The pinned solcjs release in node_modules, with the optimizer settings."""
    return f"solcjs {_npm_version('solc')}, optimizer runs 200"


def circomlibjs_version():
    """The circomlibjs release whose Poseidon contract generator is used."""
    return f"circomlibjs-{_npm_version('circomlibjs')}"


_SOLC_JS = r"""
const solc = require('solc');
let data = '';
process.stdin.on('data', c => data += c);
process.stdin.on('end', () => process.stdout.write(solc.compile(data)));
"""

_POSEIDON_JS = r"""
import('circomlibjs').then(m => {
  const n = Number(process.argv[1]);
  process.stdout.write(JSON.stringify({bytecode: m.poseidonContract.createCode(n),
                                       abi: m.poseidonContract.generateABI(n)}));
});
"""


def _cached(key, produce):
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / (hashlib.sha256(key.encode()).hexdigest() + ".json")
    if path.exists():
        return json.loads(path.read_text())
    out = produce()
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(out))
    os.replace(tmp, path)
    return out


def compile_sources(sources, optimize_runs=200):
    """``{file name: Solidity text}`` -> ``{contract name: Artifact}`` (all
    contracts of all files; names must be unique).  Raises ChainError with
    the compiler's errors."""
    std = {
        "language": "Solidity",
        "sources": {k: {"content": v} for k, v in sorted(sources.items())},
        "settings": {
            "optimizer": {"enabled": True, "runs": optimize_runs},
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    inp = json.dumps(std, sort_keys=True)

    def run():
        r = subprocess.run(
            [_node(), "-e", _SOLC_JS],
            input=inp,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if r.returncode != 0:
            raise ChainError(f"solcjs failed: {r.stderr.strip()[-500:]}")
        out = json.loads(r.stdout)
        errs = [e["formattedMessage"] for e in out.get("errors", []) if e["severity"] == "error"]
        if errs:
            raise ChainError("solidity compilation failed: " + errs[0].strip())
        arts = {}
        for _, contracts in out["contracts"].items():
            for name, c in contracts.items():
                if name in arts:
                    raise ChainError(f"two contracts named {name}")
                arts[name] = {"abi": c["abi"], "bytecode": "0x" + c["evm"]["bytecode"]["object"]}
        return arts

    arts = _cached("solc\0" + solc_version() + "\0" + inp, run)  # a new solcjs: compile again
    return {k: Artifact(k, v["abi"], v["bytecode"]) for k, v in arts.items()}


def project_contracts(size=None):
    """The escrow and the test token, compiled from ``contracts/`` with the
    layout of venue size ``size`` (default this process's: :mod:`.layout`)."""
    from .layout import sources

    return compile_sources(sources(size))


def verifier_artifact(vk, name):
    """The zkats-exported Groth16 verifier for ``vk``, renamed ``name``."""
    from ..groth16.solidity import solidity_verifier

    src = solidity_verifier(vk).replace("contract Groth16Verifier", f"contract {name}")
    return compile_sources({f"{name}.sol": src})[name]


def batch_verifier_artifact(vks, name="Groth16BatchVerifier"):
    """The zkats-exported batch verifier (:mod:`zkats.groth16.solidity_batch`)
    for the keys ``vks`` (key id = position), named ``name``."""
    from ..groth16.solidity_batch import solidity_batch_verifier

    return compile_sources({f"{name}.sol": solidity_batch_verifier(vks, name)})[name]


def poseidon_artifact(n_inputs=2):
    """circomlibjs' generated Poseidon contract (the peer's bytecode
    generator, run here; the result is cached, never committed)."""

    def run():
        r = subprocess.run(
            [_node(), "-e", _POSEIDON_JS, str(n_inputs)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if r.returncode != 0:
            raise ChainError(f"circomlibjs poseidon_gencontract failed: {r.stderr.strip()[-500:]}")
        return json.loads(r.stdout)

    out = _cached(f"poseidon{n_inputs}\0{circomlibjs_version()}", run)
    return Artifact(f"Poseidon{n_inputs}", out["abi"], out["bytecode"])


def _reason(err):
    """The revert string of a web3 ContractLogicError (or the message)."""
    msg = getattr(err, "message", None) or (err.args[0] if err.args else str(err))
    if isinstance(msg, tuple):
        msg = msg[0]
    msg = str(msg)
    for prefix in ("execution reverted: ", "execution reverted"):
        if msg.startswith(prefix):
            return msg[len(prefix) :].strip() or "reverted"
    return msg


class Chain:
    """An in-process py-evm chain with eth-tester's funded accounts."""

    def __init__(self, genesis_timestamp=None, gas_limit=None):
        """``gas_limit``: the blocks' gas limit (eth-tester's default is
        about 30M, Ethereum's; benchmarks of oversized batches raise it)."""
        try:
            from eth_tester import EthereumTester, PyEVMBackend
            from web3 import EthereumTesterProvider, Web3
        except ImportError:
            raise ChainError(
                "web3 / eth-tester[py-evm] not installed (pip install -e .[evm])"
            ) from None
        overrides = {}
        if genesis_timestamp is not None:
            overrides["timestamp"] = int(genesis_timestamp)
        if gas_limit is not None:
            overrides["gas_limit"] = int(gas_limit)
        params = PyEVMBackend.generate_genesis_params(overrides=overrides) if overrides else None
        use_native_precompiles()
        self.tester = EthereumTester(PyEVMBackend(genesis_parameters=params))
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.accounts = list(self.w3.eth.accounts)
        self.w3.eth.default_account = self.accounts[0]

    def deploy(self, art, *args, sender=None, gas=12_000_000):
        tx = (
            self.w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
            .constructor(*args)
            .transact({"from": sender or self.accounts[0], "gas": gas})
        )
        rc = self.w3.eth.get_transaction_receipt(tx)
        if rc["status"] != 1:
            raise ChainError(f"deploying {art.name} failed")
        return self.w3.eth.contract(address=rc["contractAddress"], abi=art.abi)

    def transact(self, fn, sender=None, gas=25_000_000):
        """Send ``fn`` (a bound contract function); return the receipt, or
        raise ChainError(reason) if it reverted (the failed transaction is
        mined: only the sender's ether pays for it).  The reason is read by
        replaying the call on the state before the transaction's block
        (eth-tester mines one transaction per block)."""
        from eth_tester.exceptions import TransactionFailed
        from web3.exceptions import ContractLogicError

        params = {"from": sender or self.accounts[0], "gas": gas}
        tx = fn.transact(params)
        rc = self.w3.eth.get_transaction_receipt(tx)
        if rc["status"] == 1:
            return rc
        reason = "reverted without a reason (out of gas?)"
        try:
            fn.call(params, block_identifier=rc["blockNumber"] - 1)
        except (ContractLogicError, TransactionFailed) as err:
            reason = _reason(err)
        raise ChainError(f"transaction reverted: {reason}", reason)

    def now(self):
        return self.w3.eth.get_block("latest")["timestamp"]

    def time_travel(self, seconds):
        """Move the chain clock forward by ``seconds``."""
        self.time_travel_to(self.now() + int(seconds))

    def time_travel_to(self, timestamp):
        """Move the chain clock forward to ``timestamp`` (never back)."""
        if timestamp > self.now():
            self.tester.time_travel(int(timestamp))

    def snapshot(self):
        return self.tester.take_snapshot()

    def revert(self, snap):
        self.tester.revert_to_snapshot(snap)


# ---------------------------------------------------------------------------
# native BN254 precompiles
# ---------------------------------------------------------------------------

_NATIVE = {"on": False}
#: py-evm's own (py_ecc) functions, by precompile module
_PY_ECC: dict = {}


def use_native_precompiles(on=True):
    """Run py-evm's BN254 precompiles (ecAdd 0x06, ecMul 0x07, ecPairing
    0x08) on zkats' native curve code instead of py_ecc (about a second per
    pairing).  Gas is charged by py-evm's own wrappers, before the
    arithmetic, so every gas figure is unchanged; inputs are validated as
    py-evm does (coordinates < q, points on their curves, G2 points in the
    subgroup; anything else is the precompile's failure).
    ``tests/test_chain_evm.py`` checks the results against py_ecc's on
    valid and invalid inputs.  ``ZKATS_EVM_PURE=1`` keeps py_ecc."""
    import importlib

    patch = {"ecadd": ("_ecadd", _native_add), "ecmul": ("_ecmull", _native_mul)}
    patch["ecpairing"] = ("_ecpairing", _native_pairing)
    native = on and os.environ.get("ZKATS_EVM_PURE") != "1"
    for module, (attr, fn) in patch.items():
        mod = importlib.import_module(f"eth.precompiles.{module}")
        original = _PY_ECC.setdefault(module, getattr(mod, attr))
        setattr(mod, attr, fn if native else original)
    _NATIVE["on"] = native


def _words(data, n):
    data = bytes(data)[: 32 * n].ljust(32 * n, b"\0")
    return [int.from_bytes(data[32 * i : 32 * i + 32], "big") for i in range(n)]


def _g1_point(x, y):
    from eth_utils import ValidationError

    from ..bn254.curves import is_on_curve_g1
    from ..field import Q

    if x >= Q or y >= Q:
        raise ValidationError("coordinate >= q")
    if (x, y) == (0, 0):
        return None
    if not is_on_curve_g1((x, y)):
        raise ValidationError("point is not on the curve")
    return (x, y)


def _fq_out(p):
    from py_ecc.optimized_bn128 import FQ

    return (FQ(0), FQ(0)) if p is None else (FQ(p[0]), FQ(p[1]))


def _native_add(data):
    from ..bn254.curves import g1_add

    x1, y1, x2, y2 = _words(data, 4)
    return _fq_out(g1_add(_g1_point(x1, y1), _g1_point(x2, y2)))


def _native_mul(data):
    from ..bn254.curves import g1_mul

    x, y, m = _words(data, 3)
    p = _g1_point(x, y)
    return _fq_out(None if p is None else g1_mul(p, m))


def _native_pairing(data):
    from eth_utils import ValidationError

    from ..bn254.curves import is_in_subgroup_g2, is_on_curve_g2
    from ..bn254.pairing import pairing_check
    from ..field import Q

    data = bytes(data)
    pairs = []
    for off in range(0, len(data), 192):
        x1, y1, xi, xr, yi, yr = _words(data[off : off + 192], 6)
        p = _g1_point(x1, y1)
        if max(xi, xr, yi, yr) >= Q:
            raise ValidationError("value greater than field modulus")
        q = None
        if (xi, xr, yi, yr) != (0, 0, 0, 0):
            q = ((xr, xi), (yr, yi))
            if not is_on_curve_g2(q) or not is_in_subgroup_g2(q):
                raise ValidationError("G2 point not on the twist or not in the subgroup")
        if p is not None and q is not None:
            pairs.append((p, q))
    return pairing_check(pairs, threads=1)
