pragma circom 2.0.0;

// A small test circuit: a chain of multiplications with one public input
// (a) and one public output (c); about N constraints.
template MulChain(N) {
    signal input a;
    signal input b;
    signal output c;
    signal t[N];
    t[0] <== a * b;
    for (var i = 1; i < N; i++) {
        t[i] <== t[i - 1] * a + b;
    }
    c <== t[N - 1];
}

component main {public [a]} = MulChain(40);
