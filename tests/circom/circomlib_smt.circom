pragma circom 2.0.0;
// circomlib's sparse Merkle tree verifier (Poseidon), 10 levels: inclusion
// and exclusion proofs.
include "smt/smtverifier.circom";

component main {public [root, key]} = SMTVerifier(10);
