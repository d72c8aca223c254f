pragma circom 2.0.0;

// Small circomlib-based circuit for the .r1cs/.wtns reader tests (H3):
// a range-checked comparison, an IsZero and a product.
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";

template RangeCompare(n) {
    signal input limit;      // public
    signal input x;          // private
    signal input y;          // private
    signal output ok;
    signal output prod;

    component rx = Num2Bits(n);
    rx.in <== x;
    component ry = Num2Bits(n);
    ry.in <== limit;
    component lt = LessThan(n);
    lt.in[0] <== x;
    lt.in[1] <== limit;
    component z = IsZero();
    z.in <== y;
    ok <== lt.out * (1 - z.out);
    prod <== x * y;
}

component main {public [limit]} = RangeCompare(32);
