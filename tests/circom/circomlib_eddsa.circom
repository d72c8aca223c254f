pragma circom 2.0.0;
// circomlib's EdDSA-Poseidon verifier as a whole circuit (about 8,000
// constraints, domain 2^14): the circuit on which the coefficient order of
// circom's .r1cs first mattered for zkey interop.
include "eddsaposeidon.circom";

component main {public [Ax, Ay, M]} = EdDSAPoseidonVerifier();
