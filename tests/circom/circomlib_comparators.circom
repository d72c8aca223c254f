pragma circom 2.0.0;
// circomlib's comparators (and what they build on: Num2Bits, IsZero) in one
// circuit with public inputs and outputs.
include "comparators.circom";

template Comparators(n) {
    signal input a;
    signal input b;
    signal output lt;
    signal output le;
    signal output gt;
    signal output eq;
    signal output zero;
    component c1 = LessThan(n);
    c1.in[0] <== a;
    c1.in[1] <== b;
    lt <== c1.out;
    component c2 = LessEqThan(n);
    c2.in[0] <== a;
    c2.in[1] <== b;
    le <== c2.out;
    component c3 = GreaterThan(n);
    c3.in[0] <== a;
    c3.in[1] <== b;
    gt <== c3.out;
    component c4 = IsEqual();
    c4.in[0] <== a;
    c4.in[1] <== b;
    eq <== c4.out;
    component c5 = IsZero();
    c5.in <== a - b * 2;
    zero <== c5.out;
    component range = Num2Bits(n);
    range.in <== a + b;
}

component main {public [b]} = Comparators(64);
