"""Shared helper for the venue circuit tests: compile once per session.
(``assert_unsat``, ``assert_native_rejects`` and the lying hint hook are in
:mod:`zkats.testing`.)"""

from dataclasses import replace

from zkats.circuit import compile_circuit

_COMPILED = {}


def compiled(cls):
    """The compiled circuit (disk-cached; compiled once per test session)."""
    if cls not in _COMPILED:
        _COMPILED[cls] = compile_circuit(cls())
    return _COMPILED[cls]


def resign(pub, prv, signer, **changes):
    """The statement ``pub`` with ``changes`` (a tampered statement), and
    ``prv`` signed over it by ``signer``: the attacker here holds the
    authority, so what rejects it must be the rule under test."""
    from zkats.circuits._spend import authorise

    bad = pub.replace(**changes)
    return bad, authorise(bad, prv, signer)


def reopen(inp, epoch, *notes, leg=None):
    """Witness inputs ``inp`` with the epoch's openings (and public hash)
    replaced by ``epoch``'s for ``notes``: what an attacker feeds the prover
    to use entries the statement's own epoch does not have."""
    from zkats.circuits._groups import AtEpoch

    new = AtEpoch.inputs(epoch, *notes, leg=leg)
    out = dict(inp)
    for k in ("epoch_root", "slot_entry", "slot_path", "slot_bits"):
        out[k] = new[k]
    out["epoch_hash"] = epoch.hash()
    return out


def wrong_openings(so):
    """The signed order ``so`` with a wrong opening of its commitment: another
    blinding, then another size (the order and cancel circuits' attack)."""
    return (
        replace(so, blinding=so.blinding + 1),
        replace(so, order=so.order.with_size(so.order.size + 1)),
    )


def with_keys_of(so, key, **changes):
    """The signed order ``so`` opened with another account's keys (``key``,
    a SpendingKey: its ``ak``, ``npk`` and ``lk``), plus ``changes``."""
    return replace(so, ak=key.ak, npk=key.npk, lk=key.lk, **changes)
