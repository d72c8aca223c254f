pragma circom 2.0.0;

// A small circuit for the setup/zkey interop tests: a few products, a
// public input and two outputs (so IC has several points).
template SetupDemo(n) {
    signal input a;
    signal input b;
    signal input c;
    signal output out;
    signal output sq;
    signal acc[n];
    acc[0] <== a * b;
    for (var i = 1; i < n; i++) {
        acc[i] <== acc[i - 1] * b + c;
    }
    out <== acc[n - 1] * c + a;
    sq <== out * out;
}

component main {public [c]} = SetupDemo(20);
