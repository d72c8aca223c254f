"""The settlement service and the escrow kept on ONE note tree: a service
batch goes to the ledger and to the escrow in the same order, after the
leaves queued on chain (deposits made directly on chain), which the ledger
applies as ``deposit`` items at the head of the same batch.

Here because it joins the two peers ``zkats.venue`` (the ledger) and
``zkats.chain`` (the escrow), which do not import each other."""

from ..chain.escrow import batch_items
from ..chain.evm import ChainError
from ..venue import batch as B


def chain_items(escrow, upto=None):
    """The settlement-service items of the leaves queued on chain and not
    yet appended (``upto``: at most this many), in queue order: each
    on-chain deposit as a ``deposit`` item (its proof and public signals,
    as the ``DepositQueued`` event carries them), each completed exit as an
    ``exit`` item (the withdraw proof of its request, as ``ExitRequested``
    carries it: its nullifier, already spent on chain, and its change
    note, appended here)."""
    c = escrow.contract.functions
    head, n = c.queueHead().call(), c.queuedCount().call()
    n = n if upto is None else min(n, upto)
    out = []
    for pos in range(head, head + n):
        entry = escrow.queue.get(pos)
        if entry is None:
            raise ChainError(f"queued leaf {pos}: not seen by this process (no event read)")
        kind, proof, public = entry
        if kind == "deposit":
            bundle = {"deposit": B.ProofBundle("deposit", tuple(public), proof)}
        else:
            bundle = {"withdraw": B.ProofBundle("withdraw", tuple(public), proof)}
        out.append(B.Item(kind, bundle))
    return out


def mirror_batch(escrow, service, batch):
    """Apply ``batch`` to the settlement ``service`` and the escrow in the
    same order: first the leaves queued on chain, then the batch's items,
    as ONE ledger batch and ONE ``settle`` call.  Returns the settle
    receipt; the ledger's root then equals the chain's."""
    pre = chain_items(escrow)
    items = batch_items(batch)
    service.apply(B.Batch(pre + list(batch.items)))
    return escrow.settle(items, deposits=len(pre))
