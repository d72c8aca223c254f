"""The compiled contracts ``zkats chain`` deploys, shipped with the package
(``artifacts.json`` beside this module) so that an installed zkats needs
neither node nor the Solidity compiler.  The file holds one entry per venue
size (``ci``, ``production``: :mod:`zkats.size`), since the escrow's
public-signal offsets and the verifiers' key sizes follow the statements of
that size; ``zkats chain`` uses the entry of the size it runs at:

* ``contracts``: ``contracts/*.sol`` (the escrow and the test token; the
  escrow reads its public-signal offsets from the size's
  ``ZkatsLayout.sol``, generated from the circuits by :mod:`zkats.chain.layout`).

* ``verifiers``: the keyed batch verifiers the escrow calls
  (:func:`zkats.groth16.solidity_batch.solidity_batch_verifier_keyed`: the
  keys are the constructor's argument): ``batch`` for its six settlement
  keys, ``epoch`` for the oracle_epoch key, each for the numbers of public
  inputs the circuits' statements declare today (:func:`key_sizes`); the
  keys in immutables when they fit, else stored as code (:func:`keys_in`:
  the production size's batch verifier).

Each entry is ``{"abi", "bytecode"}``.  ``inputs`` records the SHA-256 of
everything they were made from (the compiler's standard-JSON input, the
generator's version).  ``make chain-artifacts`` (``python -m
zkats.chain.artifacts``, in a checkout with ``make peers``) rebuilds the
file and both layout files (each size in a subprocess: the size is fixed at
import); ``tests/test_chain_artifacts.py`` rebuilds them with the pinned
solcjs and circomlibjs and requires the committed files to be identical,
so they cannot drift from the sources.
"""

import hashlib
import json
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from ..size import NAMES, SIZE, VARIABLE
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


def _for(size=None):
    size = size or SIZE
    data = _load()
    if size not in data:
        raise ChainError(
            f"{PATH}: no compiled contracts for venue size {size!r} "
            "(rebuild with `make chain-artifacts`)"
        )
    return data[size]


def _art(name, entry):
    return Artifact(name, entry["abi"], entry["bytecode"])


def contracts(size=None):
    """{name: Artifact} of contracts/*.sol (ZkatsEscrow, TestToken) compiled
    for ``size`` (default: this process's venue size)."""
    return {k: _art(k, v) for k, v in _for(size)["contracts"].items()}


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


def batch_verifier(which="batch", size=None):
    """A keyed batch verifier's Artifact and the key sizes it was made for
    (``size``: the venue size, default this process's)."""
    entry = _for(size)["verifiers"][which]
    return _art(VERIFIERS[which][0], entry), [int(n) for n in entry["sizes"]]


#: the most public inputs (all keys) of a keyed verifier with its keys in
#: immutables (the ci size's six settlement keys have 99: 36 kB of init code);
#: beyond, the keys are stored as code, since the immutables form soon exceeds
#: the EVM's code size limits (production: 216 public inputs, 76 kB of init code)
MAX_IMMUTABLE_INPUTS = 100


def keys_in(sizes):
    """Where a shipped verifier for keys of ``sizes`` public inputs keeps them
    (:func:`zkats.groth16.solidity_batch.solidity_batch_verifier_keyed`)."""
    return "immutables" if sum(sizes) <= MAX_IMMUTABLE_INPUTS else "code"


def key_sizes(which="batch"):
    """Public inputs of a verifier's keys (zkats.chain.escrow.BATCH_KEYS /
    EPOCH_KEYS), from the circuits' statement declarations at this
    process's venue size."""
    from . import escrow
    from .devkeys import statement

    names = getattr(escrow, VERIFIERS[which][1])
    return [sum(1 if n is None else n for _, n in statement(k).public_fields()) for k in names]


def build(contracts_dir=None):
    """This process's venue size's entry of the artifacts file, compiled now
    (needs node and the npm peers, see :mod:`zkats.chain.evm`), from
    ``contracts/*.sol`` with the layout the circuits declare now."""
    from . import evm, layout

    sources = layout.sources(contracts_dir=contracts_dir, layout=layout.source())
    arts = evm.compile_sources(sources)
    from ..groth16.solidity_batch import solidity_batch_verifier_keyed
    from . import escrow

    verifiers, shas = {}, {}
    for which, (name, attr) in VERIFIERS.items():
        sizes = key_sizes(which)
        src = solidity_batch_verifier_keyed(
            sizes, name, labels=list(getattr(escrow, attr)), keys_in=keys_in(sizes)
        )
        bv = evm.compile_sources({f"{name}.sol": src})[name]
        verifiers[which] = {
            "abi": bv.abi,
            "bytecode": bv.bytecode,
            "sizes": sizes,
            "keys_in": keys_in(sizes),
        }
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


def build_size(size, contracts_dir=None):
    """(layout source, artifacts entry) of venue size ``size``: in this
    process at its own size, else in a subprocess at ``size``."""
    if size == SIZE:
        from . import layout

        return layout.source(), build(contracts_dir)
    cmd = [sys.executable, "-m", "zkats.chain.artifacts", "--one"]
    if contracts_dir:
        cmd.append(str(contracts_dir))
    r = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, VARIABLE: size}, timeout=1800
    )
    if r.returncode != 0:
        raise ChainError(f"building the {size} artifacts failed: {r.stderr.strip()[-1000:]}")
    out = json.loads(r.stdout)
    return out["layout"], out["entry"]


def build_all(contracts_dir=None):
    """({size: layout source}, the artifacts file's content) for every venue size."""
    layouts, data = {}, {}
    for size in NAMES:
        layouts[size], data[size] = build_size(size, contracts_dir)
    return layouts, data


def dumps(data):
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main(argv):
    if argv[:1] == ["--one"]:  # one size, as JSON on stdout (build_size's subprocess)
        from . import layout

        entry = build(argv[1] if len(argv) > 1 else None)
        print(json.dumps({"layout": layout.source(), "entry": entry}))
        return
    from . import layout

    layouts, data = build_all()
    for size, src in layouts.items():
        where = layout.path(size)
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text(src)
        print(f"wrote {where}")
    PATH.write_text(dumps(data))
    print(f"wrote {PATH} ({', '.join(data)})")


if __name__ == "__main__":
    main(sys.argv[1:])
