"""The escrow's Python face: deploy the token, circomlibjs' Poseidon, the
four verifiers and ``contracts/ZkatsEscrow.sol`` (the compiled artifacts
shipped in the package, :mod:`.artifacts`: no compiler at run time; each
verifier is the keyed form of zkats' exported verifier, its key given at
deployment); encode proofs as the contract's structs; call it; mirror
settlement batches.

Preconditions: the verifying keys are the ones the proofs were made with
(:class:`zkats.chain.devkeys.DevKeys` for tests); proofs are
``zkats.groth16`` Proof objects with public signals as ints."""

from dataclasses import dataclass
from typing import Any

from . import artifacts
from .evm import Chain, ChainError

#: seconds after an exit request before a forced withdrawal is allowed
FORCE_TIMEOUT = 7 * 86400


def proof_struct(proof):
    """(a, b, c) with G2 halves in EIP-197 order (x.c1, x.c0)."""
    (ax, ay), (bx, by), (cx, cy) = proof.a, proof.b, proof.c
    return (
        [int(ax), int(ay)],
        [[int(bx[1]), int(bx[0])], [int(by[1]), int(by[0])]],
        [int(cx), int(cy)],
    )


def one(proof, public):
    """A Deposit/Withdrawal struct."""
    return (proof_struct(proof), [int(x) for x in public])


def trade(match, leg_a, leg_b):
    """A Trade struct from three (proof, public) pairs."""
    return (
        proof_struct(match[0]),
        [int(x) for x in match[1]],
        proof_struct(leg_a[0]),
        [int(x) for x in leg_a[1]],
        proof_struct(leg_b[0]),
        [int(x) for x in leg_b[1]],
    )


@dataclass
class Escrow:
    chain: Chain
    contract: Any  # web3 contracts
    token: Any
    operator: str

    @classmethod
    def deploy(cls, chain, vks, force_timeout=FORCE_TIMEOUT, operator=None):
        """``vks``: {circuit name: VerifyingKey} for deposit, withdraw, match, transition."""
        from zkats.circuits.deposit import ASSET
        from zkats.groth16.solidity import verifier_key_args

        arts = artifacts.contracts()
        operator = operator or chain.accounts[0]
        token = chain.deploy(arts["TestToken"], sender=operator)
        hasher = chain.deploy(artifacts.poseidon(), sender=operator)
        verifiers = [
            chain.deploy(
                artifacts.keyed_verifier(vks[n].n_public),
                verifier_key_args(vks[n]),
                sender=operator,
            ).address
            for n in ("deposit", "withdraw", "match", "transition")
        ]
        esc = chain.deploy(
            arts["ZkatsEscrow"],
            token.address,
            hasher.address,
            verifiers,
            ASSET,
            force_timeout,
            sender=operator,
        )
        return cls(chain, esc, token, operator)

    # -- calls
    def _tx(self, fn, sender=None):
        return self.chain.transact(fn, sender=sender or self.operator)

    def publish_epoch(self, epoch_id, epoch_hash):
        return self._tx(self.contract.functions.publishEpoch(epoch_id, epoch_hash))

    def fund(self, who, amount):
        """Mint test tokens to ``who`` and approve the escrow for them."""
        self._tx(self.token.functions.mint(who, amount))
        self._tx(self.token.functions.approve(self.contract.address, amount), sender=who)

    def deposit(self, proof, public, sender):
        return self._tx(self.contract.functions.deposit(one(proof, public)), sender=sender)

    def settle(self, trades=(), withdrawals=()):
        return self._tx(self.contract.functions.settle(list(trades), list(withdrawals)))

    def request_exit(self, nullifier, sender):
        return self._tx(self.contract.functions.requestExit(nullifier), sender=sender)

    def forced_withdraw(self, proof, public, sender):
        return self._tx(self.contract.functions.forcedWithdraw(one(proof, public)), sender=sender)

    # -- views
    def balance(self, who):
        return self.token.functions.balanceOf(who).call()

    def last_root(self):
        return self.contract.functions.lastRoot().call()

    def root_known(self, root):
        return self.contract.functions.rootKnown(int(root)).call()

    def spent(self, nullifier):
        return self.contract.functions.nullifierSpent(int(nullifier)).call()

    def state(self, accounts=(), nullifiers=()):
        """Everything a rejected call must leave unchanged."""
        c = self.contract.functions
        return {
            "escrow": self.balance(self.contract.address),
            "balances": [self.balance(a) for a in accounts],
            "roots": c.rootCount().call(),
            "last_root": c.lastRoot().call(),
            "leaves": c.nextIndex().call(),
            "frozen": c.frozen().call(),
            "spent": [c.nullifierSpent(int(n)).call() for n in nullifiers],
        }


def mirror_batch(escrow, batch):
    """Submit a settlement-service batch (zkats.venue.batch.Batch, already
    applied to the SQLite ledger) to the escrow as ONE ``settle`` call:
    trades and withdrawals; health items have no on-chain effect and are
    skipped.  Deposits are made by the trader (they pay the token): refused
    here, as are liquidations (the escrow has no liquidation verifier)."""
    trades, exits = [], []
    for i, item in enumerate(batch.items):
        p = {role: (b.proof, b.public) for role, b in item.proofs.items()}
        if item.kind == "trade":
            trades.append(trade(p["match"], p["leg_a"], p["leg_b"]))
        elif item.kind == "withdraw":
            exits.append(one(*p["withdraw"]))
        elif item.kind == "health":
            continue
        else:
            raise ChainError(
                f"item {i} ({item.kind}): not settled through the escrow "
                f"(deposits are sent by the trader; no on-chain liquidation)"
            )
    return escrow.settle(trades, exits)
