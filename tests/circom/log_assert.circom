pragma circom 2.1.0;
// log() output and a failing assert in a tiny circuit, for the in-process
// witness calculator's messages.
template LogAssert() {
    signal input a;
    signal input b[2];
    signal output c;
    log("a is", a);
    assert(a < 100);
    c <== a * b[0] + b[1];
}

component main {public [a]} = LogAssert();
