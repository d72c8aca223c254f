"""On-chain escrow: Solidity sources in ``contracts/``, compiled with solcjs
(npm ``solc``, pinned in package.json) and run in a local py-evm
(``eth-tester[py-evm]`` + ``web3``, the ``evm`` extra).  See docs/escrow.md.

Modules: :mod:`.evm` (compile, deploy, call), :mod:`.devkeys` (a
development ceremony for the venue circuits), :mod:`.escrow` (the escrow's
Python face and the ledger mirror), :mod:`.scenario` (the demo scenario
replayed on chain)."""
