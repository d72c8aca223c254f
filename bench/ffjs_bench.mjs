// Second reference for `zkats bench`: snarkjs' field library (ffjavascript,
// WebAssembly, its own worker threads) timed on the same inputs.
//
//   node bench/ffjs_bench.mjs msm_g1 BASES.bin SCALARS.bin
//   node bench/ffjs_bench.mjs msm_g2 BASES.bin SCALARS.bin
//       BASES: affine points, Montgomery form, little-endian (the .zkey
//       layout, 64 bytes per G1 point, 128 per G2 point); SCALARS: 32-byte
//       little-endian canonical scalars.  Prints one JSON object with the
//       seconds of one multiExpAffine call (after a warm-up call) and the
//       result as decimal strings, so the caller can cross-check it.
//   node bench/ffjs_bench.mjs pairing REPS
//   node bench/ffjs_bench.mjs pairing4 REPS
//       seconds per pairing (curve.pairing) / per 4-pairing check
//       (curve.pairingEq of e(a1 P, Q) e(a2 P, Q) e(a3 P, Q) e(-(a1+a2+a3) P, Q) == 1).
import { readFileSync } from "fs";
import { performance } from "perf_hooks";
import { buildBn128 } from "ffjavascript";

const [op, a1, a2] = process.argv.slice(2);
const curve = await buildBn128();
const out = { op, threads: curve.tm.concurrency || null };

function dec(v) {
    return Array.isArray(v) ? v.map(dec) : v.toString();
}

try {
    if (op === "msm_g1" || op === "msm_g2") {
        const G = op === "msm_g1" ? curve.G1 : curve.G2;
        const bases = new Uint8Array(readFileSync(a1));
        const scalars = new Uint8Array(readFileSync(a2));
        const n = scalars.length / 32;
        const w = Math.min(n, 256);
        await G.multiExpAffine(bases.slice(0, w * G.F.n8 * 2), scalars.slice(0, w * 32));
        const t0 = performance.now();
        const r = await G.multiExpAffine(bases, scalars);
        out.seconds = (performance.now() - t0) / 1000;
        out.n = n;
        const obj = G.toObject(G.toAffine(r));
        out.result = G.isZero(r) ? null : [dec(obj[0]), dec(obj[1])];
    } else if (op === "pairing" || op === "pairing4") {
        const reps = parseInt(a1 || "20", 10);
        const P = curve.G1.g, Q = curve.G2.g;
        if (op === "pairing") {
            curve.pairing(P, Q);
            const t0 = performance.now();
            for (let i = 0; i < reps; i++) curve.pairing(P, Q);
            out.seconds = (performance.now() - t0) / 1000 / reps;
        } else {
            const Fr = curve.Fr;
            const k = [Fr.e(3), Fr.e(5), Fr.e(7)];
            const ps = k.map((x) => curve.G1.timesFr(P, x));
            ps.push(curve.G1.neg(curve.G1.timesFr(P, Fr.e(15))));
            const args = [];
            for (const p of ps) args.push(p, Q);
            if (!(await curve.pairingEq(...args))) throw new Error("pairingEq returned false");
            const t0 = performance.now();
            for (let i = 0; i < reps; i++) await curve.pairingEq(...args);
            out.seconds = (performance.now() - t0) / 1000 / reps;
        }
        out.reps = reps;
    } else {
        throw new Error("unknown op " + op);
    }
} finally {
    await curve.terminate();
}
console.log(JSON.stringify(out));
