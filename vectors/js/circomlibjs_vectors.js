// Test vectors from circomlibjs (the pinned peer in ../../package.json).
// Usage: node vectors/js/circomlibjs_vectors.js            -> full vector JSON on stdout
//        node vectors/js/circomlibjs_vectors.js live SEED   -> a few fresh values for the live test
// Deterministic: "random" inputs are SHA-256 of a label, reduced mod r.
const crypto = require("crypto");
const { buildPoseidon, buildBabyjub, buildEddsa } = require("circomlibjs");

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

function rnd(label) {
  const h = crypto.createHash("sha256").update("zkats/vectors/" + label).digest("hex");
  return BigInt("0x" + h) % R;
}

async function main() {
  const mode = process.argv[2] || "full";
  const seed = process.argv[3] || "0";
  const poseidon = await buildPoseidon();
  const babyJub = await buildBabyjub();
  const eddsa = await buildEddsa();
  const F = babyJub.F;
  const pt = (p) => [F.toObject(p[0]).toString(), F.toObject(p[1]).toString()];
  const out = { peer: "circomlibjs@0.1.7", poseidon: [], babyjub_add: [], babyjub_mul: [], babyjub_pack: [], eddsa: [] };

  const pos = (inputs) => ({ inputs: inputs.map(String), hash: poseidon.F.toObject(poseidon(inputs)).toString() });
  const nmax = mode === "live" ? 3 : 16;
  for (let n = 1; n <= nmax; n++) {
    out.poseidon.push(pos(Array.from({ length: n }, (_, i) => rnd(`${seed}/poseidon/${n}/${i}`))));
    if (mode !== "live") {
      out.poseidon.push(pos(Array.from({ length: n }, () => 0n)));
      out.poseidon.push(pos(Array.from({ length: n }, () => R - 1n)));
      out.poseidon.push(pos(Array.from({ length: n }, (_, i) => BigInt(i + 1))));
    }
  }

  const scalars = mode === "live" ? [rnd(`${seed}/k`)] :
    [0n, 1n, 2n, 7n, 8n, babyJub.subOrder - 1n, babyJub.subOrder, babyJub.subOrder + 1n,
     babyJub.order - 1n, ...Array.from({ length: 6 }, (_, i) => rnd(`mul/${i}`))];
  for (const k of scalars) {
    for (const [name, base] of [["Base8", babyJub.Base8], ["Generator", babyJub.Generator]]) {
      const p = babyJub.mulPointEscalar(base, k);
      out.babyjub_mul.push({ base: name, k: k.toString(), result: pt(p) });
    }
  }
  const nadd = mode === "live" ? 1 : 6;
  for (let i = 0; i < nadd; i++) {
    const p = babyJub.mulPointEscalar(babyJub.Generator, rnd(`${seed}/addp/${i}`));
    const q = i === 0 ? p : babyJub.mulPointEscalar(babyJub.Base8, rnd(`${seed}/addq/${i}`));
    out.babyjub_add.push({ p: pt(p), q: pt(q), result: pt(babyJub.addPoint(p, q)) });
    const packed = Buffer.from(babyJub.packPoint(p)).toString("hex");
    out.babyjub_pack.push({ point: pt(p), packed, in_subgroup: babyJub.inSubgroup(p) });
    const neg = [F.neg(p[0]), p[1]];
    out.babyjub_pack.push({ point: pt(neg), packed: Buffer.from(babyJub.packPoint(neg)).toString("hex"),
                            in_subgroup: babyJub.inSubgroup(neg) });
  }

  const nkeys = mode === "live" ? 1 : 4;
  for (let i = 0; i < nkeys; i++) {
    const prv = crypto.createHash("sha256").update(`zkats/vectors/${seed}/eddsa-key/${i}`).digest();
    const A = eddsa.prv2pub(prv);
    const msgs = mode === "live" ? [rnd(`${seed}/msg`)] : [0n, 1n, R - 1n, rnd(`msg/${i}`)];
    for (const m of msgs) {
      const sig = eddsa.signPoseidon(prv, F.e(m));
      const ok = eddsa.verifyPoseidon(F.e(m), sig, A);
      const bad = eddsa.verifyPoseidon(F.e((m + 1n) % R), sig, A);
      out.eddsa.push({ prv: prv.toString("hex"), pub: pt(A), msg: m.toString(),
                       R8: pt(sig.R8), S: sig.S.toString(), valid: ok, valid_for_msg_plus_1: bad });
    }
  }
  // zkats' Pedersen generators, derived independently here from the rule in
  // zkats/gadgets/pedersen.py (SHA-256 try-and-increment, cofactor clearing)
  out.pedersen_generators = [];
  const half = (R - 1n) / 2n;
  const labels = mode === "live" ? ["value/0", "blinding"] : ["value/0", "value/1", "value/2", "value/3", "blinding"];
  for (const label of labels) {
    for (let ctr = 0; ctr < 65536; ctr++) {
      const c = Buffer.alloc(4); c.writeUInt32BE(ctr);
      const d = crypto.createHash("sha256").update(Buffer.concat([Buffer.from("zkats/pedersen/v1/" + label + "/"), c])).digest();
      const y = F.e(BigInt("0x" + d.toString("hex")) % R);
      const den = F.sub(babyJub.A, F.mul(babyJub.D, F.square(y)));
      if (F.isZero(den)) continue;
      const x2 = F.div(F.sub(F.one, F.square(y)), den);
      // Legendre symbol first: ffjavascript's sqrt does not return for non-residues
      if (!F.isZero(x2) && !F.eq(F.exp(x2, F.half), F.one)) continue;
      const x = F.sqrt(x2);
      let xo = F.toObject(x);
      if (xo > half) xo = R - xo;
      if (d[31] & 0x80) xo = (R - xo) % R;
      const P = babyJub.mulPointEscalar([F.e(xo), y], 8n);
      if (F.isZero(P[0]) && F.eq(P[1], F.one)) continue;
      if (!babyJub.inSubgroup(P)) continue;
      out.pedersen_generators.push({ label, counter: ctr, point: pt(P) });
      break;
    }
  }
  process.stdout.write(JSON.stringify(out, null, mode === "live" ? 0 : 1) + "\n");
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
