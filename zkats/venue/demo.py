"""The ``zkats demo`` scenario: three traders on a development venue.

alice, bob and carol open accounts by deposits; alice's limit buy crosses
bob's limit sell; carol asks for a quote, bob quotes, carol accepts with her
wallet and bob proves his side with his (no step holds two wallets); the
oracle moves BTC-PERP's mark from 60,000 to 52,000; bob and carol prove
health, alice cannot (her maintenance margin fails), the epoch closes and
alice's account is liquidated; carol withdraws; bob withdraws his profit;
the venue lists a BTC call, carol buys two from bob, the call expires in
the money and carol withdraws what the automatic exercise paid her; then
ETH-PERP, a BTC future and an ETH call priced by the pricing module are
listed and dave, on the scenario margin model, trades all three.  Every
step is a real Groth16 proof that the settlement service verifies before
applying it.

``run(directory, report)`` calls ``report(step)`` for each step with a
dict: ``title``, ``public`` (what the ledger and the batch files show) and
``private`` (what stayed with the traders), plus ``seconds``.  Wallets and
order/quote files go to ``directory/private`` (mode 0600); batch files
(public) to ``directory/public``.
"""

import time
from pathlib import Path

from ..errors import InputError


def _short(v):
    s = str(v)
    return s if len(s) <= 14 else s[:6] + "..." + s[-6:]


def _batch_public(items, receipt, ledger):
    out = []
    from .rules import RULES

    for it in items:
        for role, b in it.proofs.items():
            sig = RULES[it.kind].roles[role].decode(b.public).as_dict()
            shown = []
            for k in (
                "nullifier",
                "commitment",
                "account",
                "amount",
                "recipient",
                "penalty",
                "epoch_id",
            ):
                if k in sig:
                    shown.append(f"{k}={_short(sig[k])}")
            if b.circuit == "order":
                shown = [f"commitment=({_short(sig['commitment'][0])}, ...), now={sig['now']}"]
            if b.circuit == "match":
                shown.append("order/leg commitments (points)")
                shown.append(f"price {'revealed' if sig['reveal_price'] else 'hidden'}")
            out.append(f"{it.kind}/{role}: " + ", ".join(shown))
    if receipt is not None:
        out.append(
            f"batch {receipt.batch_id} applied: root={_short(receipt.root)}, "
            f"{receipt.nullifiers} nullifiers, verified in {receipt.verify_seconds:.2f} s"
        )
        esc = ledger.summary()["escrow"]
        out.append("escrow: " + ", ".join(f"{_short(a)}={b}" for a, b in esc.items()))
    return out


def _second_underlying(v, w, prv_dir, settle, timed, report):
    """ETH-PERP, a BTC future and an ETH call (marked at its Black-76 price
    from a volatility surface) are listed; dave opens a scenario-margin
    account and trades all three: his requirement is the sum of his BTC and
    ETH worst cases (no credit between underlyings)."""
    from ..domain import instruments, margin
    from ..domain.oracle import asset_id
    from ..pricing import flat_surface
    from .workflow import Wallet

    fut, call = "BTC-1W", "ETH-1W-C3200"
    week = v.now() + 7 * 86400
    v.add_instrument("ETH-PERP", instruments.perpetual("ETH", tick=1))
    v.add_instrument(fut, instruments.future("BTC", week))
    v.add_instrument(call, instruments.option("ETH", week, 3_200, "call"))
    ep = v.publish_epoch(
        {"BTC-PERP": 55_000, "ETH-PERP": 3_000, fut: 55_100},
        deadline_in=600,
        underlying={"BTC": 55_000, "ETH": 3_000},
        surfaces={"ETH": flat_surface("ETH", 0.7)},
    )
    c = ep.entry(v.instrument(call))
    w["dave"] = Wallet.create(prv_dir / "dave.wallet", name="dave")
    items = [timed(v.deposit, w["dave"], 50_000, 1), timed(v.deposit, w["bob"], 20_000)]
    settle(
        "dave opens a scenario-margin account with 50000; bob adds 20000",
        items,
        ["dave: margin model fixed at his first deposit (scenario: risk arrays per underlying)"],
    )
    trades = (
        ("ETH-PERP", "dave", "carol", 20, 3_000),
        (fut, "bob", "dave", 1, 55_100),
        (call, "dave", "carol", 5, c.mark),
    )
    for k, (sym, buyer, seller, size, price) in enumerate(trades):
        buy = v.new_order(w[buyer], sym, "buy", size, price)
        sell = v.new_order(w[seller], sym, "sell", size, price)
        items = [timed(v.order_item, so) for so in (buy, sell)]
        item, m = timed(v.match, buy, sell, w[buyer], w[seller])
        title = f"{sym}: {buyer} buys {m.fill} from {seller} at {m.price}"
        if k == 0:
            title = f"two underlyings: ETH-PERP, {fut} (a BTC future) and {call} listed; " + title
        if sym == call:
            title += (
                f" (marked by Black-76 at 70% vol, delta {c.delta / 1e6:.2f}; its "
                "16-scenario risk array from the pricing module)"
            )
        settle(title, items + [item], [f"{buyer} long {m.fill}, {seller} short {m.fill}"])
    note = w["dave"].note
    bucket, assets, rows = margin.risk_rows(note, ep)
    worst = dict(zip(assets, margin.worst_of(rows)))
    one_shock = [sum(r) for r in zip(*margin.bucket_pnl(note, ep, [0] * len(bucket)))]
    report(
        {
            "title": "dave's margin: the sum over underlyings of each one's worst scenario",
            "public": [],
            "private": [
                (
                    f"dave: BTC worst loss {worst[asset_id('BTC')]}, ETH worst loss "
                    f"{worst[asset_id('ETH')]}: initial requirement "
                    f"{margin.requirement(note, ep)} (one shock for both would say "
                    f"{max(0, -min(one_shock))})"
                ),
            ],
            "seconds": 0.0,
        }
    )


def run(directory, report, ptau=None, progress=None):
    from . import batch as B
    from .workflow import Venue, Wallet, account_view, check_healthy, order_to_json, write_secret

    d = Path(directory)
    prv_dir, pub_dir = d / "private", d / "public"
    t_all = time.perf_counter()
    t = time.perf_counter()
    v = Venue.init(d / "venue", ptau=ptau, progress=progress)
    report(
        {
            "title": "venue init: ledger, development keys (cached), oracle epoch 1 "
            "(BTC-PERP mark 60000)",
            "public": [
                f"verification keys for {len(v.key_timings)} circuits",
                f"oracle epoch 1 hash {_short(v.epoch().hash())}",
            ],
            "private": ["(toxic waste of the one-party development ceremony: discarded)"],
            "seconds": time.perf_counter() - t,
        }
    )
    prv_dir.mkdir(mode=0o700)
    pub_dir.mkdir()
    names = ("alice", "bob", "carol")
    w = {n: Wallet.create(prv_dir / f"{n}.wallet", name=n) for n in names}
    n_batch = [0]

    def settle(title, items, private):
        t0 = time.perf_counter()
        n_batch[0] += 1
        path = pub_dir / f"batch{n_batch[0]}.json"
        B.dump(path, B.Batch(tuple(items)))
        r = v.settle(B.load(path))
        for wl in w.values():
            wl.sync(v.ledger)
        report(
            {
                "title": title,
                "public": _batch_public(items, r, v.ledger),
                "private": private,
                "seconds": time.perf_counter() - t0 + private_t[0],
            }
        )
        private_t[0] = 0.0
        return r

    private_t = [0.0]

    def timed(fn, *a):
        t0 = time.perf_counter()
        out = fn(*a)
        private_t[0] += time.perf_counter() - t0
        return out

    # 1. deposits
    amounts = {"alice": 60_000, "bob": 200_000, "carol": 100_000}
    items = [timed(v.deposit, w[n], amounts[n]) for n in names]
    settle(
        "deposits: alice 60000, bob 200000, carol 100000 USDC (fresh accounts)",
        items,
        [f"{n}: keys and note opening in private/{n}.wallet (0600)" for n in names],
    )

    # 2. limit orders cross
    buy = v.new_order(w["alice"], "BTC-PERP", "buy", 6, 60_100)
    sell = v.new_order(w["bob"], "BTC-PERP", "sell", 6, 59_900)
    write_secret(prv_dir / "alice_buy.order", order_to_json(buy))
    write_secret(prv_dir / "bob_sell.order", order_to_json(sell))
    items = [timed(v.order_item, so) for so in (buy, sell)]
    settle(
        "limit orders rest: alice buy, bob sell (signed, committed, proved)",
        items,
        [
            "alice: buy 6 BTC-PERP, limit 60100 (opening in private/alice_buy.order)",
            "bob: sell 6 BTC-PERP, limit 59900 (opening in private/bob_sell.order)",
        ],
    )
    item, m = timed(v.match, buy, sell, w["alice"], w["bob"])
    settle(
        "limit orders: alice buys 6 BTC-PERP (limit 60100), bob sells 6 (limit 59900)",
        [item],
        [
            f"fill {m.fill} lots at {m.price} (inside both limits)",
            "order sizes, limits, accounts; leg openings; new notes",
        ],
    )

    # 3. RFQ
    import secrets

    from ..domain import orders

    req = orders.Request(v.instrument("BTC-PERP"), orders.BUY, 2, v.now() + 600)
    q = orders.quote(req, w["bob"].key, 60_050, secrets.randbits(63))
    write_secret(
        prv_dir / "bob.quote",
        {"kind": "zkats-rfq-quote", "maker_order": order_to_json(q.maker_order)},
    )
    # party by party: carol proves the orders, the match and her leg with her
    # wallet; bob proves his leg from his confirmation with his
    partial, carol_leg, bob_conf, _ = timed(v.accept_quote, q, w["carol"])
    write_secret(prv_dir / "bob.conf", bob_conf)
    bob_leg = timed(v.confirm_trade, w["bob"], bob_conf, "bob's confirmation")
    settle(
        "RFQ: carol asks to buy 2, bob quotes 60050, carol accepts (her wallet), "
        "bob proves his side (his wallet)",
        v.assemble_trade(partial, [carol_leg, bob_leg]),
        [
            "the quote (bob's signed order) went only to carol",
            "bob's confirmation (his leg opening) went only to bob: private/bob.conf",
            f"fill {req.size} at {q.price}",
        ],
    )

    views = {n: account_view(w[n], v.epoch()) for n in names}
    report(
        {
            "title": "accounts after trading (each trader sees only their own)",
            "public": [
                (
                    f"ledger: {v.ledger.summary()['notes']} notes, "
                    f"{v.ledger.summary()['trades']} trades, no sizes or balances"
                )
            ],
            "private": [
                f"{n}: collateral {views[n]['collateral']}, positions "
                f"{[p['position'] for p in views[n]['positions']]}, equity "
                f"{views[n]['equity']}"
                for n in names
            ],
            "seconds": 0.0,
        }
    )

    # 4. eight hours later: mark move, funding, health
    t0 = time.perf_counter()
    v.advance_clock(8 * 3600)
    ep = v.publish_epoch({"BTC-PERP": 52_000}, deadline_in=600, index={"BTC-PERP": 51_800})
    funding = ep.entry(v.instrument("BTC-PERP")).funding
    report(
        {
            "title": (
                "oracle epoch 2, 8 h later: BTC-PERP mark 60000 -> 52000, index 51800: "
                f"funding {funding} per lot, longs pay shorts"
            ),
            "public": [
                f"epoch {ep.epoch_id} hash {_short(ep.hash())}, health deadline in 600 s",
                f"BTC-PERP funding index 0 -> {funding} (premium 200, cap 0.75% per 8 h)",
            ],
            "private": [
                f"{n}: position {p}, funding {-p * funding:+d} at its next spend"
                for n in names
                for p in [sum(x["position"] for x in account_view(w[n])["positions"])]
                if p
            ],
            "seconds": time.perf_counter() - t0,
        }
    )
    healthy = [n for n in names if check_healthy(w[n], ep)]
    failed = []
    for n in names:
        if n not in healthy:
            try:
                v.health(w[n])
            except InputError as err:
                failed.append(f"{n}: cannot prove health ({err})")
    items = [timed(v.health, w[n]) for n in healthy]
    views = {n: account_view(w[n], ep) for n in names}
    settle(
        "health proofs at epoch 2: " + ", ".join(healthy) + " prove maintenance margin",
        items,
        failed + [f"{n}: equity {views[n]['equity']}" for n in names],
    )

    # 5. deadline passes, liquidation
    t0 = time.perf_counter()
    v.advance_clock(601)
    eid, marked = v.close_epoch(ep.epoch_id)
    who = {str(w[n].account): n for n in names}
    report(
        {
            "title": "deadline passed: epoch 2 closed",
            "public": [f"liquidatable: account {_short(a)}" for a in marked],
            "private": [f"(that account is {who.get(a, '?')})" for a in marked],
            "seconds": time.perf_counter() - t0,
        }
    )
    # the risk engine holds each account's liquidation capability (exported by
    # its owner with the note openings; it cannot withdraw, trade or deposit)
    caps = {
        who[a]: w[who[a]].export(prv_dir / f"{who[a]}.liquidation", "liquidation")
        for a in marked
        if a in who
    }
    items = [timed(v.liquidate, cap, eid) for cap in caps.values()]
    for n, cap in caps.items():  # the risk engine hands the owner its new note
        for note in cap.pending:
            w[n].set_pending(note)
    settle(
        "liquidation: the risk engine closes the positions at mark 52000 (1% penalty)",
        items,
        [
            f"{who[a]}: new collateral {w[who[a]].pending[-1].collateral}"
            for a in marked
            if a in who
        ],
    )

    # 6. withdrawals: a winner is paid
    item = timed(v.withdraw, w["carol"], 20_000, 0xC0FFEE)
    settle(
        "withdrawal: carol takes 20000 USDC out to 0xc0ffee",
        [item],
        [f"carol: collateral left {w['carol'].pending[-1].collateral}, positions stay hidden"],
    )
    bob_equity = account_view(w["bob"], v.epoch())["equity"]
    item = timed(v.withdraw, w["bob"], 205_000, 0xB0B)
    settle(
        "profit paid: bob (short 8 from 60000, mark 52000) withdraws 205000, more than "
        "his 200000 deposit",
        [item],
        [
            (
                f"bob: equity {bob_equity} before; the withdrawal settled his open profit to "
                f"the mark; collateral left {w['bob'].pending[-1].collateral} covers "
                "initial margin"
            ),
        ],
    )
    # 7. an option: listed, traded, expired in the money, exercised automatically
    from ..domain import instruments

    opt = "BTC-1D-C52000"
    v.add_instrument(opt, instruments.option("BTC", v.now() + 86400, 52_000, "call"))
    v.publish_epoch({"BTC-PERP": 52_000, opt: 700}, deadline_in=600, underlying={"BTC": 52_000})
    buy = v.new_order(w["carol"], opt, "buy", 2, 700)
    sell = v.new_order(w["bob"], opt, "sell", 2, 700)
    items = [timed(v.order_item, so) for so in (buy, sell)]
    item, m = timed(v.match, buy, sell, w["carol"], w["bob"])
    settle(
        f"options: {opt} listed (BTC call, strike 52000, expiry in 1 day; oracle mark 700, "
        "Greeks from its implied vol); carol buys 2 at 700 from bob",
        items + [item],
        [f"fill {m.fill} lots at {m.price}; carol long 2 calls, bob short 2"],
    )
    t0 = time.perf_counter()
    v.advance_clock(86400)
    ep = v.publish_epoch({"BTC-PERP": 55_000}, deadline_in=600, underlying={"BTC": 55_000})
    e = ep.entry(v.instrument(opt))
    before = account_view(w["carol"], ep)
    report(
        {
            "title": f"expiry: BTC settles at 55000; {opt} is {e.mark} in the money a lot, "
            "exercised automatically",
            "public": [
                (
                    f"epoch {ep.epoch_id}: {opt} settlement entry (underlying 55000, value "
                    f"{e.mark}; the circuits check value = max(S - K, 0)); it can no longer trade"
                )
            ],
            "private": [
                f"carol: +{2 * e.mark} at her next spend, less the 1400 premium she paid",
                f"bob: -{2 * e.mark} at his next spend, plus the premium he received",
            ],
            "seconds": time.perf_counter() - t0,
        }
    )
    item = timed(v.withdraw, w["carol"], 2 * (e.mark - 700), 0xC0FFEE)
    new_note = w["carol"].pending[-1]  # the withdrawal's new note (the ledger has it next)
    settle(
        f"option profit paid: carol withdraws {2 * (e.mark - 700)} to 0xc0ffee",
        [item],
        [
            (
                f"carol: equity {before['equity']} before; the withdrawal closed her expired "
                f"calls at {e.mark} a lot; open positions now "
                f"{[x.position for x in new_note.slots if x.position]} (her perpetuals)"
            ),
        ],
    )

    # 8. a second underlying, a dated future, an option priced by the pricing
    # module, and an account on the scenario model (risk per underlying)
    _second_underlying(v, w, prv_dir, settle, timed, report)

    summary = v.ledger.summary()
    report(
        {
            "title": "the venue's public funds",
            "public": [
                (
                    f"fee account {summary['funds'].get('fee', '0')} (both sides' trading fees), "
                    f"insurance fund {summary['funds'].get('insurance', '0')} "
                    "(liquidation penalties), "
                    f"escrow {', '.join(str(b) for b in summary['escrow'].values())}"
                )
            ],
            "private": [],
            "seconds": 0.0,
        }
    )
    v.close()
    return {
        "directory": str(d),
        "total_s": round(time.perf_counter() - t_all, 2),
        "ledger": summary,
        "liquidated": [who.get(a, a) for a in marked],
        "health_failed": [f.split(":")[0] for f in failed],
    }
