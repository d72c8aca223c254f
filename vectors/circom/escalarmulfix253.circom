pragma circom 2.0.0;
include "escalarmulfix.circom";
// fixed-base scalar multiplication by Base8, 253-bit scalar given as bits
template Main() {
    signal input e[253];
    signal output out[2];
    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];
    component m = EscalarMulFix(253, BASE8);
    for (var i = 0; i < 253; i++) m.e[i] <== e[i];
    out[0] <== m.out[0];
    out[1] <== m.out[1];
}
component main = Main();
