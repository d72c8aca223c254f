pragma circom 2.0.0;
include "bitify.circom";
include "escalarmulfix.circom";
include "babyjub.circom";
// Pedersen opening C = v*G + r*H with fixed bases (v 64-bit, r 253-bit).
// G and H are zkats' generators value/0 and blinding (vectors/pedersen_generators.json);
// the count does not depend on which subgroup points are used.
template Main(Gx, Gy, Hx, Hy) {
    signal input v;
    signal input r;
    signal output c[2];
    component vb = Num2Bits(64);
    vb.in <== v;
    component rb = Num2Bits(253);
    rb.in <== r;
    component mv = EscalarMulFix(64, [Gx, Gy]);
    for (var i = 0; i < 64; i++) mv.e[i] <== vb.out[i];
    component mr = EscalarMulFix(253, [Hx, Hy]);
    for (var i = 0; i < 253; i++) mr.e[i] <== rb.out[i];
    component add = BabyAdd();
    add.x1 <== mv.out[0];
    add.y1 <== mv.out[1];
    add.x2 <== mr.out[0];
    add.y2 <== mr.out[1];
    c[0] <== add.xout;
    c[1] <== add.yout;
}
component main = Main(GX, GY, HX, HY);
