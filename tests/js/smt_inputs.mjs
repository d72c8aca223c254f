// Inputs for tests/circom/circomlib_smt.circom (SMTVerifier(10)) from
// circomlibjs' sparse Merkle tree: {inclusion, exclusion} as circom input
// JSON objects (decimal strings).  Usage: node tests/js/smt_inputs.mjs
import { newMemEmptyTrie } from "circomlibjs";

const LEVELS = 10;
const tree = await newMemEmptyTrie();
const F = tree.F;
for (const [k, v] of [[7, 77], [8, 88], [32, 3232]]) await tree.insert(k, v);

function pad(siblings) {
    const out = siblings.map((s) => F.toObject(s).toString());
    while (out.length < LEVELS) out.push("0");
    return out;
}

const inc = await tree.find(F.e(8));
const exc = await tree.find(F.e(9));
const root = F.toObject(tree.root).toString();
const inclusion = {
    enabled: "1", fnc: "0", root, siblings: pad(inc.siblings),
    oldKey: "0", oldValue: "0", isOld0: "0", key: "8", value: F.toObject(inc.foundValue).toString(),
};
const exclusion = {
    enabled: "1", fnc: "1", root, siblings: pad(exc.siblings),
    oldKey: exc.isOld0 ? "0" : F.toObject(exc.notFoundKey).toString(),
    oldValue: exc.isOld0 ? "0" : F.toObject(exc.notFoundValue).toString(),
    isOld0: exc.isOld0 ? "1" : "0", key: "9", value: "0",
};
console.log(JSON.stringify({ inclusion, exclusion }));
