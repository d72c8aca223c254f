"""Files other programs read and write: iden3/snarkjs binary formats, snarkjs JSON, Solidity."""
