"""The settlement service and the escrow kept on ONE note tree: a service
batch goes to the ledger and to the escrow in the same order, after the
leaves queued on chain (deposits made directly on chain), which the ledger
applies as ``deposit`` items at the head of the same batch.

Here because it joins the two peers ``zkats.venue`` (the ledger) and
``zkats.chain`` (the escrow), which do not import each other."""

from ..chain.escrow import batch_items
from ..venue import batch as B


def chain_items(escrow, upto=None):
    """(items, positions): the settlement-service items of the queue
    positions not yet appended (``upto``: at most this many positions), in
    queue order, and how many positions they cover: each on-chain deposit
    as a ``deposit`` item (its proof and public signals, as the
    ``DepositQueued`` event carries them), each completed exit as an
    ``exit`` item (the withdraw proof of its request, as ``ExitRequested``
    carries it: its nullifier, already spent on chain, and its change note,
    appended here).  A deposit rejected on chain (``rejectDeposit``: its
    proof was invalid) has no item: the chain skips it too."""
    c = escrow.contract.functions
    head, n = c.queueHead().call(), c.queuedCount().call()
    n = n if upto is None else min(n, upto)
    out = []
    for pos in range(head, head + n):
        kind, proof, public = escrow.queue_entry(pos)
        if kind == "rejected":
            continue
        if kind == "deposit":
            bundle = {"deposit": B.ProofBundle("deposit", tuple(public), proof)}
        else:
            bundle = {"withdraw": B.ProofBundle("withdraw", tuple(public), proof)}
        out.append(B.Item(kind, bundle))
    return out, n


def mirror_batch(escrow, service, batch):
    """Apply ``batch`` to the settlement ``service`` and the escrow in the
    same order: first the leaves queued on chain, then the batch's items,
    as ONE ledger batch and ONE ``settle`` call.  A queued deposit whose
    proof does not verify is rejected on chain first (refunded, skipped on
    both sides), so it cannot make the batch revert.  Returns the settle
    receipt; the ledger's root then equals the chain's."""
    for pos in escrow.invalid_deposits():
        escrow.reject_deposit(pos, sender=escrow.operator)
    pre, positions = chain_items(escrow)
    items = batch_items(batch)
    service.apply(B.Batch(pre + list(batch.items)))
    return escrow.settle(items, deposits=positions)
