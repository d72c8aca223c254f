"""Gas used by the escrow (contracts/ZkatsEscrow.sol) in py-evm, with the
venue's real circuits and real Groth16 proofs (development keys):
a deposit, a one-trade settlement, a 10-trade batch and a withdrawal.

    .venv/bin/python bench/gas.py [--keys DIR] [--trades 10] [--markdown]

Keys are made once into DIR (default ``bench/_work/chain_keys``) by
zkats.chain.devkeys (a toy ceremony).  Prints one JSON line per operation,
or with ``--markdown`` the table for README.md's "Gas" section.  A
benchmark, not a test: nothing is asserted beyond the calls succeeding.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", default=str(ROOT / "bench" / "_work" / "chain_keys"))
    ap.add_argument("--trades", type=int, default=10)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)

    from zkats.chain.devkeys import ESCROW_CIRCUITS, DevKeys
    from zkats.chain.escrow import Escrow, one, trade
    from zkats.chain.evm import Chain
    from zkats.chain.scenario import DEPOSITS, Replay

    keys = DevKeys(args.keys)
    chain = Chain()
    esc = Escrow.deploy(chain, {n: keys.zkey[n].verifying_key() for n in ESCROW_CIRCUITS})
    alice, bob = chain.accounts[1:3]
    rep = Replay()
    esc.publish_epoch(rep.epoch.epoch_id, rep.epoch.hash())
    rows = []

    def row(op, rc, note=""):
        rows.append({"operation": op, "gas": rc.gasUsed, "note": note})
        if not args.markdown:
            print(json.dumps(rows[-1]), flush=True)

    for who, name in ((alice, "alice"), (bob, "bob")):
        esc.fund(who, DEPOSITS[name])
        pub, prv = rep.open_account(name)
        rc = esc.deposit(*keys.prove("deposit", pub, prv), sender=who)
        rep.applied_deposit(name, pub, prv)
        row(f"deposit ({name}, fresh account)", rc, "1 proof (6 inputs), 1 leaf")

    def trades(k, fill):
        out = []
        for _ in range(k):
            m, ta, tb = rep.trade(chain.now(), fill=fill)
            out.append(
                trade(
                    keys.prove("match", *m),
                    keys.prove("transition", *ta),
                    keys.prove("transition", *tb),
                )
            )
        return out

    row("settle: 1 trade", esc.settle(trades(1, 6)), "3 proofs (18 + 9 + 9 inputs), 2 leaves")
    n = args.trades
    rc = esc.settle(trades(n, 1))
    row(
        f"settle: {n}-trade batch",
        rc,
        f"{3 * n} proofs, {2 * n} leaves; {rc.gasUsed // n} per trade",
    )
    pub, prv = rep.withdraw("alice", 150_000, int(alice, 16), salt=9001)
    rc = esc.settle([], [one(*keys.prove("withdraw", pub, prv))])
    row("withdraw (via settle)", rc, "1 proof (9 inputs), 1 leaf, token transfer")
    if args.markdown:
        print("| operation | gas | what it does |\n|---|---:|---|")
        for r in rows:
            print(f"| {r['operation']} | {r['gas']:,} | {r['note']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
