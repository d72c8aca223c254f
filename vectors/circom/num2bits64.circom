pragma circom 2.0.0;
include "bitify.circom";
template Main() {
    signal input in;
    component n = Num2Bits(64);
    n.in <== in;
}
component main = Main();
