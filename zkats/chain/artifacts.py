"""The compiled contracts ``zkats chain`` deploys, shipped with the package
(``artifacts.json`` beside this module) so that an installed zkats needs
neither node nor the Solidity compiler:

* ``contracts``: ``contracts/*.sol`` (the escrow and the test token; the
  escrow reads its public-signal offsets from ``contracts/ZkatsLayout.sol``,
  generated from the circuits by :mod:`zkats.chain.layout`).

* ``verifiers``: the keyed batch verifiers the escrow calls
  (:func:`zkats.groth16.solidity_batch.solidity_batch_verifier_keyed`: the
  keys are the constructor's argument): ``batch`` for its six settlement
  keys, ``epoch`` for the oracle_epoch key, each for the numbers of public
  inputs the circuits' statements declare today (:func:`key_sizes`).

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
from functools import lru_cache
from pathlib import Path

from .evm import Artifact, ChainError

PATH = Path(__file__).with_name("artifacts.json")

#: the deployable contracts of contracts/*.sol
SHIPPED = ("TestToken", "ZkatsEscrow")


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


# ---------------------------------------------------------------------------
# building (a checkout with the npm peers)
# ---------------------------------------------------------------------------


def _sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


#: the shipped keyed verifiers: name -> (contract name, the escrow's key list attribute)
VERIFIERS = {
    "batch": ("ZkatsBatchVerifier", "BATCH_KEYS"),
    "epoch": ("ZkatsEpochVerifier", "EPOCH_KEYS"),
}


def batch_verifier(which="batch"):
    """A keyed batch verifier's Artifact and the key sizes it was made for."""
    entry = _load()["verifiers"][which]
    return _art(VERIFIERS[which][0], entry), [int(n) for n in entry["sizes"]]


def key_sizes(which="batch"):
    """Public inputs of a verifier's keys (zkats.chain.escrow.BATCH_KEYS /
    EPOCH_KEYS), from the circuits' statement declarations."""
    from . import escrow
    from .devkeys import statement

    names = getattr(escrow, VERIFIERS[which][1])
    return [sum(1 if n is None else n for _, n in statement(k).public_fields()) for k in names]


def build(contracts_dir=None):
    """The artifacts file's content, compiled now (needs node and the npm
    peers, see :mod:`zkats.chain.evm`)."""
    from . import evm

    src_dir = Path(contracts_dir) if contracts_dir else evm.CONTRACTS
    sources = {p.name: p.read_text() for p in sorted(src_dir.glob("*.sol"))}
    arts = evm.compile_sources(sources)
    from ..groth16.solidity_batch import solidity_batch_verifier_keyed
    from . import escrow

    verifiers, shas = {}, {}
    for which, (name, attr) in VERIFIERS.items():
        sizes = key_sizes(which)
        src = solidity_batch_verifier_keyed(sizes, name, labels=list(getattr(escrow, attr)))
        bv = evm.compile_sources({f"{name}.sol": src})[name]
        verifiers[which] = {"abi": bv.abi, "bytecode": bv.bytecode, "sizes": sizes}
        shas[f"verifier {which}"] = _sha(src)
    return {
        "contracts": {
            k: {"abi": arts[k].abi, "bytecode": arts[k].bytecode} for k in sorted(SHIPPED)
        },
        "verifiers": verifiers,
        "inputs": {
            "contracts/*.sol": _sha(json.dumps(sources, sort_keys=True)),
            "compiler": evm.solc_version(),
            **shas,
        },
    }


def dumps(data):
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    from .layout import write as write_layout

    where = write_layout()
    PATH.write_text(dumps(build()))
    print(f"wrote {where} and {PATH}")
