// The public ledger page: reads only the public /v1 endpoints.
"use strict";

function short(v) {
  const s = String(v);
  return s.length <= 20 ? s : s.slice(0, 10) + "\u2026" + s.slice(-6);
}

function cell(text, cls, title) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  if (title) td.title = title;
  return td;
}

function fillTable(id, rows) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    tr.append(...cells);
    return tr;
  }));
}

async function getJSON(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}

function when(t) {
  return t === null || t === undefined ? "" : new Date(t * 1000).toISOString().replace(".000", "");
}

async function refresh() {
  try {
    const [summary, batches, epochs, liq] = await Promise.all([
      getJSON("/v1/summary"),
      getJSON("/v1/batches/latest?limit=20"),
      getJSON("/v1/epochs"),
      getJSON("/v1/liquidatable"),
    ]);
    const dl = document.getElementById("summary");
    const shown = [["current root", summary.root, true], ["batches", summary.batches],
      ["notes", summary.notes], ["nullifiers spent", summary.nullifiers],
      ["accounts", summary.accounts], ["trades", summary.trades],
      ["open orders", summary.open_orders], ["oracle epochs", summary.epochs],
      ["pending liquidations", summary.liquidatable_pending]];
    for (const [name, bal] of Object.entries(summary.funds || {})) {
      shown.push([name + " fund", String(bal)]);  // fee account, insurance fund
    }
    dl.replaceChildren(...shown.flatMap(([k, v, mono]) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = String(v);
      if (mono) dd.className = "mono";
      dd.id = "summary-" + k.replace(/ /g, "-");
      return [dt, dd];
    }));
    fillTable("batches", batches.batches.map((b) => [
      cell(String(b.batch_id)), cell(String(b.n_items)), cell(when(b.applied_at)),
      cell(String(b.n_leaves)), cell(short(b.root), "mono", b.root),
      cell(short(b.digest), "mono", b.digest)]));
    fillTable("epochs", epochs.epochs.slice().reverse().map((e) => [
      cell(String(e.epoch_id)),
      cell(Object.entries(e.marks || {}).map(([s, p]) => s + " " + p).join(", ")),
      cell(when(e.deadline)), cell(when(e.closed_at)),
      cell(short(e.data_hash), "mono", e.data_hash)]));
    fillTable("escrow", Object.entries(summary.escrow).map(([a, b]) => [
      cell(short(a), "mono", a), cell(String(b))]));
    fillTable("liquidatable", liq.liquidatable.map((l) => [
      cell(String(l.epoch_id)), cell(short(l.account), "mono", l.account), cell(l.reason),
      cell(l.liquidated_batch === null ? "pending" : String(l.liquidated_batch))]));
    document.getElementById("status").textContent =
      "updated " + new Date().toISOString().replace(".000", "") + " (" + summary.batches + " batches)";
  } catch (err) {
    document.getElementById("status").textContent = "cannot read the ledger: " + err.message;
  }
}

document.getElementById("nullifier-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const out = document.getElementById("nullifier-result");
  const n = document.getElementById("nullifier-input").value.trim();
  out.className = "";
  try {
    const r = await getJSON("/v1/nullifiers/" + encodeURIComponent(n));
    if (r.spent) {
      out.textContent = "spent in batch " + r.batch_id + " (item " + r.item_index + ")";
      out.className = "spent";
    } else {
      out.textContent = "not spent";
      out.className = "unspent";
    }
  } catch (err) {
    out.textContent = err.message;
  }
});

refresh();
setInterval(refresh, 2000);
