"""The settlement service and the escrow kept on ONE note tree: a service
batch goes to the ledger and to the escrow in the same order, after the
leaves queued on chain (deposits made directly on chain), which the ledger
applies as ``deposit`` items at the head of the same batch.

Here because it joins the two peers ``zkats.venue`` (the ledger) and
``zkats.chain`` (the escrow), which do not import each other."""

from ..chain.escrow import batch_items
from ..errors import LedgerError
from ..venue import batch as B


def chain_items(escrow, upto=None):
    """(items, positions): the settlement-service items of the queue
    positions not yet appended (``upto``: at most this many positions), in
    queue order, and how many positions they cover: each on-chain deposit
    as a ``deposit`` item (its proof and public signals, as the
    ``DepositQueued`` event carries them), each completed exit as a
    ``forced_exit`` item (the exit proof of its request, as
    ``ExitRequested`` carries it: its nullifier, already spent on chain, its
    payout, its positions for the insurance fund, and its change note,
    appended here).  A deposit rejected on chain (``rejectDeposit``: its
    proof was invalid) has no item: the chain skips it too."""
    pending = escrow.pending(upto)
    out = []
    for _, (kind, proof, public) in pending:
        if kind == "rejected":
            continue
        if kind == "deposit":
            out.append(
                B.Item("deposit", {"deposit": B.ProofBundle("deposit", tuple(public), proof)})
            )
        else:
            bundle = {"exit": B.ProofBundle("exit", tuple(public), proof)}
            out.append(B.Item("forced_exit", bundle))
    return out, len(pending)


def mirror_batch(escrow, service, batch):
    """Apply ``batch`` to the settlement ``service`` and the escrow in the
    same order: first the leaves queued on chain, then the batch's items,
    as ONE ledger batch and ONE ``settle`` call.  Returns the settle
    receipt; the ledger's root then equals the chain's.

    A queued deposit whose proof does not verify is first rejected on chain
    (``rejectDeposit``: the operator earns the bounty, the depositor is
    refunded the rest; both sides skip it), so it cannot make the
    batch revert.  Then the ledger checks and verifies the batch (a refusal
    raises LedgerError and nothing is sent), the chain settles it (a revert
    raises ChainError and the ledger is unchanged), and only then does the
    ledger write it: neither side is ever ahead of the other by a batch the
    other refused."""
    for pos in escrow.invalid_deposits():
        escrow.reject_deposit(pos, sender=escrow.operator)
    pre, positions = chain_items(escrow)
    prepared = service.prepare(B.Batch(pre + list(batch.items)))
    receipt = escrow.settle(batch_items(batch), deposits=positions)
    result = service.apply_prepared([prepared])[0]
    if isinstance(result, BaseException):
        raise LedgerError(
            f"the chain settled the batch but the ledger refused it afterwards ({result}): "
            "re-read the chain before the next batch"
        ) from result
    return receipt
