pragma circom 2.0.0;
include "escalarmulany.circom";
// variable-base scalar multiplication, 254-bit scalar given as bits
template Main() {
    signal input e[254];
    signal input p[2];
    signal output out[2];
    component m = EscalarMulAny(254);
    for (var i = 0; i < 254; i++) m.e[i] <== e[i];
    m.p[0] <== p[0];
    m.p[1] <== p[1];
    out[0] <== m.out[0];
    out[1] <== m.out[1];
}
component main = Main();
