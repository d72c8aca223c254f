"""Public reads of the ledger that the API serves (lists with paging).

Each function takes a :class:`zkats.venue.ledger.Ledger` and returns plain
JSON-able values (field elements as decimal strings).  Only public data:
what the ledger stores is public by construction (roots, nullifiers, note
commitments, order commitments, escrow totals, epochs, liquidations).
"""

from contextlib import contextmanager

#: the largest page any list endpoint returns
MAX_PAGE = 1000


@contextmanager
def snapshot(led):
    """Reads inside see one state of the ledger (a read transaction)."""
    led.conn.execute("BEGIN")
    try:
        yield led
    finally:
        led.conn.execute("COMMIT")


def _page(limit):
    return max(1, min(int(limit), MAX_PAGE))


def batches(led, after=0, limit=100):
    rows = led.conn.execute(
        "SELECT b.batch_id, b.digest, b.n_items, b.applied_at, r.root, r.n_leaves "
        "FROM batches b JOIN roots r ON r.seq = b.root_seq "
        "WHERE b.batch_id > ? ORDER BY b.batch_id LIMIT ?",
        (int(after), _page(limit)),
    ).fetchall()
    return [_batch(r) for r in rows]


def latest_batches(led, limit=20):
    rows = led.conn.execute(
        "SELECT b.batch_id, b.digest, b.n_items, b.applied_at, r.root, r.n_leaves "
        "FROM batches b JOIN roots r ON r.seq = b.root_seq "
        "ORDER BY b.batch_id DESC LIMIT ?",
        (_page(limit),),
    ).fetchall()
    return [_batch(r) for r in rows]


def batch(led, batch_id):
    row = led.conn.execute(
        "SELECT b.batch_id, b.digest, b.n_items, b.applied_at, r.root, r.n_leaves "
        "FROM batches b JOIN roots r ON r.seq = b.root_seq WHERE b.batch_id = ?",
        (int(batch_id),),
    ).fetchone()
    if row is None:
        return None
    out = _batch(row)
    c = led.conn
    out["nullifiers"] = [
        n
        for (n,) in c.execute(
            "SELECT nullifier FROM nullifiers WHERE batch_id = ? ORDER BY item_index, nullifier",
            (int(batch_id),),
        )
    ]
    out["notes"] = [
        {"leaf_index": i, "commitment": cm}
        for i, cm in c.execute(
            "SELECT leaf_index, commitment FROM notes WHERE batch_id = ? ORDER BY leaf_index",
            (int(batch_id),),
        )
    ]
    out["trades"] = c.execute(
        "SELECT COUNT(*) FROM trades WHERE batch_id = ?", (int(batch_id),)
    ).fetchone()[0]
    return out


def _batch(r):
    return {
        "batch_id": r[0],
        "digest": r[1],
        "n_items": r[2],
        "applied_at": r[3],
        "root": r[4],
        "n_leaves": r[5],
    }


def roots(led, after_seq=-1, limit=100):
    return [
        {"seq": s, "root": root, "n_leaves": n, "batch_id": b}
        for s, root, n, b in led.conn.execute(
            "SELECT seq, root, n_leaves, batch_id FROM roots WHERE seq > ? ORDER BY seq LIMIT ?",
            (int(after_seq), _page(limit)),
        )
    ]


def root_status(led, root):
    row = led.conn.execute(
        "SELECT seq, n_leaves, batch_id FROM roots WHERE root = ? ORDER BY seq LIMIT 1",
        (str(root),),
    ).fetchone()
    if row is None:
        return {"root": str(root), "known": False}
    return {"root": str(root), "known": True, "seq": row[0], "n_leaves": row[1], "batch_id": row[2]}


def nullifier(led, value):
    row = led.conn.execute(
        "SELECT batch_id, item_index FROM nullifiers WHERE nullifier = ?", (str(value),)
    ).fetchone()
    if row is None:
        return {"nullifier": str(value), "spent": False}
    return {"nullifier": str(value), "spent": True, "batch_id": row[0], "item_index": row[1]}


def notes(led, after=-1, limit=100):
    """Notes with leaf index > ``after`` (wallet sync)."""
    return [
        {"leaf_index": i, "commitment": cm, "batch_id": b}
        for i, cm, b in led.conn.execute(
            "SELECT leaf_index, commitment, batch_id FROM notes WHERE leaf_index > ? "
            "ORDER BY leaf_index LIMIT ?",
            (int(after), _page(limit)),
        )
    ]


def note(led, commitment):
    row = led.conn.execute(
        "SELECT leaf_index, batch_id FROM notes WHERE commitment = ?", (str(commitment),)
    ).fetchone()
    if row is None:
        return None
    return {"commitment": str(commitment), "leaf_index": row[0], "batch_id": row[1]}


def epochs(led):
    return [
        {
            "epoch_id": e,
            "data_hash": h,
            "published_at": p,
            "deadline": d,
            "closed_at": c,
        }
        for e, h, p, d, c in led.conn.execute(
            "SELECT epoch_id, data_hash, published_at, deadline, closed_at FROM oracle_epochs "
            "ORDER BY epoch_id"
        )
    ]


def open_orders(led, after="", limit=100):
    return [
        {"order": pt.split(","), "source": src, "batch_id": b}
        for pt, src, b in led.conn.execute(
            "SELECT order_point, source, batch_id FROM open_orders WHERE order_point > ? "
            "ORDER BY order_point LIMIT ?",
            (str(after), _page(limit)),
        )
    ]


def liquidatable(led, epoch_id=None, pending_only=False):
    return [
        {"epoch_id": e, "account": a, "reason": r, "liquidated_batch": b}
        for e, a, r, b in led.liquidatable(epoch_id, pending_only)
    ]


def leaves(led):
    """Every note commitment in leaf order (to recompute the root)."""
    return [int(c) for _, c in led.notes()]
