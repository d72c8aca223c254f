pragma circom 2.0.0;
include "poseidon.circom";
// Poseidon Merkle membership of depth D (the usual circom idiom: boolean path
// bits, one multiplication per level to order the pair, Poseidon(2)).
template Merkle(D) {
    signal input leaf;
    signal input siblings[D];
    signal input bits[D];
    signal output root;
    signal node[D + 1];
    signal diff[D];
    component h[D];
    node[0] <== leaf;
    for (var i = 0; i < D; i++) {
        bits[i] * (bits[i] - 1) === 0;
        diff[i] <== bits[i] * (siblings[i] - node[i]);
        h[i] = Poseidon(2);
        h[i].inputs[0] <== node[i] + diff[i];
        h[i].inputs[1] <== siblings[i] - diff[i];
        node[i + 1] <== h[i].out;
    }
    root <== node[D];
}
component main = Merkle(20);
