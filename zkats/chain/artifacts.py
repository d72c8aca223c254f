"""The compiled contracts ``zkats chain`` deploys, shipped with the package
(``artifacts.json`` beside this module) so that an installed zkats needs
neither node nor the Solidity compiler:

* ``contracts``: ``contracts/*.sol`` (the escrow and the test token);
* ``verifiers``: the Groth16 verifier whose key is a constructor argument
  (:func:`zkats.groth16.solidity.solidity_verifier_keyed`), one per number
  of public inputs the escrow verifies (read from the escrow's selectors);
* ``poseidon``: circomlibjs' generated Poseidon(2) contract.

Each entry is ``{"abi", "bytecode"}``.  ``inputs`` records the SHA-256 of
everything they were made from (the compiler's standard-JSON input, the
generator's version).  ``make chain-artifacts`` (``python -m
zkats.chain.artifacts``, in a checkout with ``make peers``) rebuilds the
file; ``tests/test_chain_artifacts.py`` rebuilds it with the pinned
solcjs and circomlibjs and requires the committed file to be identical,
so it cannot drift from the sources.
"""

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from .evm import Artifact, ChainError

PATH = Path(__file__).with_name("artifacts.json")

#: the escrow's verifier calls: verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])
_SELECTOR = re.compile(
    r"verifyProof\(uint256\[2\],uint256\[2\]\[2\],uint256\[2\],uint256\[(\d+)\]\)"
)


@lru_cache(maxsize=1)
def _load():
    try:
        return json.loads(PATH.read_text())
    except FileNotFoundError:
        raise ChainError(f"{PATH}: missing (rebuild with `make chain-artifacts`)") from None


def _art(name, entry):
    return Artifact(name, entry["abi"], entry["bytecode"])


def contracts():
    """{name: Artifact} of contracts/*.sol (ZkatsEscrow, TestToken)."""
    return {k: _art(k, v) for k, v in _load()["contracts"].items()}


def keyed_verifier(n_public):
    """The Artifact of the keyed Groth16 verifier for ``n_public`` inputs."""
    entry = _load()["verifiers"].get(str(n_public))
    if entry is None:
        have = ", ".join(sorted(_load()["verifiers"], key=int))
        raise ChainError(
            f"no compiled verifier for {n_public} public inputs (the escrow's circuits have {have})"
        )
    return _art(f"Groth16Verifier{n_public}", entry)


def poseidon():
    """circomlibjs' Poseidon contract for 2 inputs."""
    return _art("Poseidon2", _load()["poseidon"]["2"])


# ---------------------------------------------------------------------------
# building (a checkout with the npm peers)
# ---------------------------------------------------------------------------


def _sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def escrow_public_counts(escrow_source):
    """The numbers of public inputs the escrow's verifier selectors name."""
    return sorted({int(n) for n in _SELECTOR.findall(escrow_source)})


def build(contracts_dir=None):
    """The artifacts file's content, compiled now (needs node and the npm
    peers: solcjs and circomlibjs, see :mod:`zkats.chain.evm`)."""
    from ..groth16.solidity import solidity_verifier_keyed
    from . import evm

    src_dir = Path(contracts_dir) if contracts_dir else evm.CONTRACTS
    sources = {p.name: p.read_text() for p in sorted(src_dir.glob("*.sol"))}
    arts = evm.compile_sources(sources)
    out = {
        "contracts": {
            k: {"abi": a.abi, "bytecode": a.bytecode}
            for k, a in sorted(arts.items())
            if a.bytecode != "0x"  # interfaces
        },
        "verifiers": {},
        "poseidon": {},
        "inputs": {"contracts/*.sol": _sha(json.dumps(sources, sort_keys=True))},
    }
    for n in escrow_public_counts(sources["ZkatsEscrow.sol"]):
        name = f"Groth16Verifier{n}"
        src = solidity_verifier_keyed(n, name)
        a = evm.compile_sources({f"{name}.sol": src})[name]
        out["verifiers"][str(n)] = {"abi": a.abi, "bytecode": a.bytecode}
        out["inputs"][f"verifier {n}"] = _sha(src)
    p = evm.poseidon_artifact(2)
    out["poseidon"]["2"] = {"abi": p.abi, "bytecode": p.bytecode}
    out["inputs"]["poseidon 2"] = evm.circomlibjs_version()
    out["inputs"]["compiler"] = evm.solc_version()
    return out


def dumps(data):
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    PATH.write_text(dumps(build()))
    print(f"wrote {PATH}")
