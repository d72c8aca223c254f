// Times circom's wasm witness calculator in one node process, without
// node's start-up: node bench/wasm_witness.js DIR/NAME_js/NAME.wasm input.json [repeat]
// Prints {"instantiate_s", "first_s", "best_s", "best_cpu_s"} (seconds; CPU =
// user + system of this process, steadier than wall on a loaded machine).
const fs = require("fs");
const path = require("path");

async function main() {
  const [wasmPath, inputPath, repeatArg] = process.argv.slice(2);
  const repeat = Number(repeatArg || 5);
  const builder = require(path.resolve(path.dirname(wasmPath), "witness_calculator.js"));
  const input = JSON.parse(fs.readFileSync(inputPath, "utf8"));
  let t0 = process.hrtime.bigint();
  const wc = await builder(fs.readFileSync(wasmPath));
  const instantiate = Number(process.hrtime.bigint() - t0) / 1e9;
  let first = null;
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < repeat; i++) {
    t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    await wc.calculateWTNSBin(input, 0);
    const c1 = process.cpuUsage(c0);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (first === null) first = dt;
    best = Math.min(best, dt);
    bestCpu = Math.min(bestCpu, (c1.user + c1.system) / 1e6);
  }
  console.log(
    JSON.stringify({ instantiate_s: instantiate, first_s: first, best_s: best, best_cpu_s: bestCpu }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
