// Prints, as JSON, ffjavascript's Fr roots of unity w[0..28], its FFT of the
// values given as a JSON list of decimal strings (argv[2]), and (with argv[3] = "pairing") its
// bn128 pairing e(G1, G2)
// (F12.toObject: [[c0.c0, c0.c1, c0.c2], [c1.c0, ...]], each [re, im]).
// Used by tests/test_native_ntt.py and tests/test_native_pairing.py.
import {F1Field, Scalar, buildBn128} from "ffjavascript";
const r = Scalar.fromString("21888242871839275222246405745257275088548364400416034343698204186575808495617");
const F = new F1Field(r);
const vals = JSON.parse(process.argv[2]);
const out = {};
out.w = [...Array(29).keys()].map(i => F.toString(F.w[i]));
out.fft = F.fft(vals.map(v => F.e(v))).map(x => F.toString(x));
if (process.argv[3] === "pairing") {
    const bn = await buildBn128(true);
    const e = bn.pairing(bn.G1.g, bn.G2.g);
    out.pairing = bn.F12.toObject(e).map(h => h.map(c => c.map(x => x.toString())));
    await bn.terminate();
}
console.log(JSON.stringify(out));
