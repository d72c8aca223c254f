pragma circom 2.0.0;
// circomlib's SHA-256 of a 64-bit message (one compression, about 30,000
// constraints, domain 2^15).
include "sha256/sha256.circom";

component main = Sha256(64);
