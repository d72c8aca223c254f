pragma circom 2.0.0;
include "poseidon.circom";
// circomlib Poseidon(2): public hash output, two private inputs
template Main() {
    signal input in[2];
    signal output out;
    component h = Poseidon(2);
    h.inputs[0] <== in[0];
    h.inputs[1] <== in[1];
    out <== h.out;
}
component main = Main();
