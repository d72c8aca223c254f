"""The escrow's Python face: deploy the test token, the batch verifier
zkats generates for the escrow's keys and ``contracts/ZkatsEscrow.sol``;
encode proofs and batches as the contract takes them; call it; mirror the
settlement service's batches (same items, same leaf order) and apply what
happened on chain (deposits, completed exits) to the service's ledger.

The contract keeps only roots: every new leaf is appended by an ``insert``
proof (circuits/insert.py, ``INSERT_K`` leaves, the tree's depth) which the
submitter makes from the tree's frontier, kept here (:class:`Escrow.tree`).

Preconditions: the keys are the ones the proofs were made with
(:class:`zkats.chain.devkeys.DevKeys` for tests); proofs are
``zkats.groth16`` Proof objects with public signals as ints."""

from dataclasses import dataclass, field
from typing import Any

from . import artifacts
from .evm import Chain, ChainError

#: seconds after an exit request before anyone may complete it, and after
#: which a queued leaf may be appended by anyone
FORCE_TIMEOUT = 7 * 86400
#: leaves per insert proof
INSERT_K = 16
#: leaves kept at the end of the tree for exits' change notes
EXIT_RESERVE = 1024
#: the smallest on-chain deposit (collateral units)
MIN_DEPOSIT = 1000
#: batch verifier key ids (ZkatsEscrow.KEY_*) and settlement item kinds (ITEM_*)
KEYS = (
    "deposit",
    "withdraw",
    "match",
    "transition",
    "insert",
    "cancel",
    "oracle_epoch",
    "liquidate",
    "health",
    "exit",
)
#: the keys of the batch verifier (key id = position); the epoch statements
#: (the oracle's signature, liquidation, health, exit) have their own verifier
#: (one contract with all ten keys exceeds the EVM's code size limits)
BATCH_KEYS = KEYS[:6]
EPOCH_KEYS = KEYS[6:]
ITEMS = {
    "trade": 1,
    "withdraw": 2,
    "cancel": 3,
    "fund_withdraw": 4,
    "liquidate": 5,
    "health": 6,
    "exit": 7,
}
#: item kinds whose proofs the epoch verifier checks (sent after the insert proofs)
EPOCH_ITEMS = ("liquidate", "health", "exit")


def proof_struct(proof):
    """(a, b, c) with G2 halves in EIP-197 order (x.c1, x.c0), of a Proof
    (or of the contract's 8 words, already in that order)."""
    if isinstance(proof, (list, tuple)):
        w = [int(x) for x in proof]
        return ([w[0], w[1]], [[w[2], w[3]], [w[4], w[5]]], [w[6], w[7]])
    (ax, ay), (bx, by), (cx, cy) = proof.a, proof.b, proof.c
    return (
        [int(ax), int(ay)],
        [[int(bx[1]), int(bx[0])], [int(by[1]), int(by[0])]],
        [int(cx), int(cy)],
    )


def proof_words(proof):
    """The 8 words a, b (swapped halves), c: the contract's ``uint256[8]``."""
    a, b, c = proof_struct(proof)
    return [*a, *b[0], *b[1], *c]


def proof_from_words(words):
    """The Proof of the contract's 8 words (:func:`proof_words`' inverse;
    the points are checked as a snarkjs proof file's are)."""
    from zkats.formats.snarkjs_json import proof_from_json

    w = [str(int(x)) for x in words]
    return proof_from_json(
        {
            "pi_a": [w[0], w[1], "1"],
            "pi_b": [[w[3], w[2]], [w[5], w[4]], ["1", "0"]],
            "pi_c": [w[6], w[7], "1"],
        },
        "<exit request>",
    )


def proofs_arg(proofs):
    """The contract's ``Proofs`` struct (a[], b[], c[]) of Proof objects."""
    s = [proof_struct(p) for p in proofs]
    return ([x[0] for x in s], [x[1] for x in s], [x[2] for x in s])


def split(name, public):
    """``(inputs, carried)`` of a record of statement ``name`` (a proof
    bundle's ``public``): the Groth16 public inputs the escrow verifies, and
    the values carried beside them (a new note's ciphertext), which no
    ``settle`` call sends (the settlement service keeps them)."""
    from .devkeys import circuit_class

    public = [int(x) for x in public]
    n = circuit_class(name)[1].n_public()
    return public[:n], public[n:]


def record(name, inputs, carried):
    """The record of statement ``name`` from an event's ``pub`` and ``ct``:
    the carried words kept only when they are the ones the proof's public
    hash binds (anyone may send others: the proof stays valid, the note is
    then followed without its ciphertext)."""
    from zkats.errors import InputError

    from .devkeys import circuit_class

    inputs = [int(x) for x in inputs]
    full = inputs + [int(x) for x in carried]
    try:
        circuit_class(name)[1].decode(full)
    except InputError:
        return inputs
    return full


def one(name, proof, public):
    """(uint256[8] proof, uint256[] public, uint256[] ct): a deposit's or an
    exit request's arguments, from the record ``public`` of statement ``name``."""
    inputs, carried = split(name, public)
    return (proof_words(proof), inputs, carried)


def trade(match, leg_a, leg_b):
    """A trade item: [(proof, public)] of the match and its two transitions."""
    return ("trade", [match, leg_a, leg_b])


def withdrawal(proof, public):
    """A withdrawal item."""
    return ("withdraw", [(proof, public)])


def cancel(proof, public):
    """An order cancel item."""
    return ("cancel", [(proof, public)])


def liquidation(proof, public):
    """A liquidation item (the risk engine's ``liquidate`` proof)."""
    return ("liquidate", [(proof, public)])


def exit_item(proof, public):
    """An exit served in a batch (the owner's ``exit`` proof at the latest epoch)."""
    return ("exit", [(proof, public)])


def health(proof, public):
    """A health item (an account's ``health`` proof at an epoch)."""
    return ("health", [(proof, public)])


def fund_withdrawal(fund, amount, recipient, seq):
    """An operator's withdrawal from a fund (``fund``: its code,
    zkats.domain.operator_key.FUNDS): no proof; the batch's sender is the
    operator."""
    return ("fund_withdraw", [(None, [int(fund), int(amount), int(recipient), int(seq)])])


#: the development oracle's key seed (tests, `zkats chain` without --oracle)
DEV_ORACLE_SEED = b"zkats-dev-oracle"


def dev_oracle():
    """The development oracle's SigningKey (NOT a secret: a fixed seed)."""
    from zkats.domain.signing_key import SigningKey

    return SigningKey.from_seed(DEV_ORACLE_SEED)


def sign_epoch(key, epoch_id, epoch_hash, deadline):
    """``key``'s oracle signature of an epoch."""
    from zkats.domain import oracle_key

    return key.sign(oracle_key.epoch_message(epoch_id, epoch_hash, deadline))


def tree_depth():
    from zkats.domain import units

    return units.TREE_DEPTH


def insert_statement(depth=None, k=INSERT_K):
    from zkats.circuits.insert import Insert

    return Insert(k=k, depth=depth or tree_depth())


@dataclass
class Escrow:
    chain: Chain
    contract: Any  # web3 contracts
    token: Any
    operator: str
    #: (name, pub, prv) -> (proof, public ints): the insert prover
    prove: Any
    depth: int
    insert_k: int
    tree: Any = None  # circuits.insert.Frontier of the chain's leaves
    #: queue position -> ("deposit", proof, public) or ("exit", proof, public)
    queue: dict = field(default_factory=dict)
    #: exit request id -> (proof, public) of its exit proof
    requests: dict = field(default_factory=dict)
    #: {name: VerifyingKey} the escrow was deployed with (off-chain checks
    #: of queued deposits before a batch: :meth:`invalid_deposits`)
    vks: dict = field(default_factory=dict)

    @classmethod
    def deploy(
        cls,
        chain,
        vks,
        prove,
        force_timeout=FORCE_TIMEOUT,
        operator=None,
        depth=None,
        insert_k=INSERT_K,
        exit_reserve=EXIT_RESERVE,
        min_deposit=MIN_DEPOSIT,
        oracle=None,
    ):
        """``vks``: {name: VerifyingKey} for :data:`KEYS` (insert: the
        ``insert_k``-leaf circuit at the tree's depth); ``prove(name, pub,
        prv)``: (proof, public) for the insert proofs this wrapper makes;
        ``oracle``: the oracle's public key (default: the development
        oracle, :data:`DEV_ORACLE_SEED`)."""
        from zkats.circuits.deposit import ASSET
        from zkats.circuits.insert import Frontier
        from zkats.gadgets.merkle import MerkleTree

        depth = depth or tree_depth()
        arts = artifacts.contracts()
        operator = operator or chain.accounts[0]
        token = chain.deploy(arts["TestToken"], sender=operator)
        from zkats.groth16.solidity_batch import batch_verifier_key_args

        verifiers = []
        for which, names in (("batch", BATCH_KEYS), ("epoch", EPOCH_KEYS)):
            art, sizes = artifacts.batch_verifier(which)
            keys = [vks[n] for n in names]
            have = [vk.n_public for vk in keys]
            if have != sizes:
                raise ChainError(
                    f"the keys have {have} public inputs ({', '.join(names)}); the shipped "
                    f"{which} verifier takes {sizes} (rebuild: make chain-artifacts)"
                )
            verifiers.append(
                chain.deploy(art, batch_verifier_key_args(keys), sender=operator, gas=25_000_000)
            )
        esc = chain.deploy(
            arts["ZkatsEscrow"],
            token.address,
            [v.address for v in verifiers],
            ASSET,
            force_timeout,
            depth,
            insert_k,
            MerkleTree(depth).root,
            exit_reserve,
            min_deposit,
            [int(c) for c in (oracle or dev_oracle().pub)],
            sender=operator,
        )
        return cls(
            chain, esc, token, operator, prove, depth, insert_k, Frontier(depth), vks=dict(vks)
        )

    # -- calls
    def _tx(self, fn, sender=None):
        return self.chain.transact(fn, sender=sender or self.operator)

    def publish_epoch(self, epoch_id, epoch_hash, deadline, signature, sender=None):
        """Publish an epoch with the oracle's ``signature`` of it (proved
        here with the ``oracle_epoch`` circuit: ``self.prove``)."""
        from zkats.circuits import oracle_epoch

        pk = (
            self.contract.functions.oracleX().call(),
            self.contract.functions.oracleY().call(),
        )
        pub, prv = oracle_epoch.build(epoch_id, epoch_hash, deadline, pk, signature)
        proof, _ = self.prove("oracle_epoch", pub, prv)
        fn = self.contract.functions.publishEpoch(
            epoch_id, epoch_hash, deadline, proof_words(proof)
        )
        return self._tx(fn, sender=sender)

    def fund(self, who, amount):
        """Mint test tokens to ``who`` and approve the escrow for them."""
        self._tx(self.token.functions.mint(who, amount))
        self._tx(self.token.functions.approve(self.contract.address, amount), sender=who)

    def deposit(self, proof, public, sender):
        args = one("deposit", proof, public)
        rc = self._tx(self.contract.functions.deposit(*args), sender=sender)
        # what the event gives a reader: the words kept only if they are the hashed ones
        self.queue[self.queue_length() - 1] = ("deposit", proof, record("deposit", *args[1:]))
        return rc

    def inserts(self, leaves, tree=None):
        """(Proof objects, new roots) appending ``leaves`` to ``tree`` (default:
        the chain's) by INSERT_K-leaf insert proofs."""
        from zkats.circuits import insert

        if not leaves:
            return [], []
        tree = tree or self.tree
        proofs, roots = [], []
        for pub, prv in insert.build_batch(tree, leaves, self.insert_k, self.depth):
            proof, _ = self.prove("insert", pub, prv)
            proofs.append(proof)
            roots.append(pub.new_root)
        return proofs, roots

    def queued_parts(self, count):
        """(leaves, deposit proofs, their public signals concatenated) of the
        next ``count`` queue positions, as a batch carries them: rejected
        deposits skipped, each deposit's proof and signals (verified in the
        batch's multi-pairing), each exit's change note alone."""
        head = self.contract.functions.queueHead().call()
        leaves, proofs, inputs = [], [], []
        for pos in range(head, head + count):
            kind, proof, public = self.queue_entry(pos)
            if kind == "rejected":
                continue
            leaves.append(self.queued_leaf(pos))
            if kind == "deposit":
                proofs.append(proof)
                inputs += split("deposit", public)[0]
        return leaves, proofs, inputs

    def settle_args(self, items=(), deposits=0):
        """The ``settle`` argument: ``items`` [(kind, [(proof, public)])] in
        order, after the first ``deposits`` queue positions (their deposit
        proofs and signals first)."""
        leaves, proofs, inputs = self.queued_parts(deposits)
        kinds: list[int] = []
        epoch_proofs: list = []
        for kind, parts in items:
            kinds.append(ITEMS[kind])
            names = ITEM_CIRCUITS[kind] or (None,) * len(parts)  # fund_withdraw: no proof
            for name, (proof, public) in zip(names, parts):
                if proof is not None:
                    (epoch_proofs if kind in EPOCH_ITEMS else proofs).append(proof)
                inputs.extend(split(name, public)[0] if name else (int(x) for x in public))
            leaves += [leaf for leaf in _item_leaves(kind, parts)]
        ins, roots = self.inserts(leaves)
        arg = (kinds, proofs_arg(proofs + ins + epoch_proofs), inputs, deposits, roots)
        return arg, leaves

    def settle(self, items=(), deposits=0, gas=None):
        arg, leaves = self.settle_args(items, deposits)
        fn = self.contract.functions.settle(arg)
        rc = self.chain.transact(fn, sender=self.operator, gas=gas) if gas else self._tx(fn)
        self._appended(leaves)
        return rc

    def include_deposits(self, count, sender):
        leaves, proofs, inputs = self.queued_parts(count)
        ins, roots = self.inserts(leaves)
        fn = self.contract.functions.includeDeposits(count, proofs_arg(proofs + ins), inputs, roots)
        rc = self._tx(fn, sender=sender)
        self._appended(leaves)
        return rc

    def reject_deposit(self, position, sender=None):
        """``rejectDeposit``: the queued deposit at ``position`` (whose proof
        is invalid) skipped; ``sender`` is paid ``minDeposit`` out of it (the
        rejection bounty) and the depositor the rest."""
        kind, proof, public = self.queue_entry(position)
        if kind != "deposit":
            raise ChainError(f"queue position {position}: not a pending deposit ({kind})")
        fn = self.contract.functions.rejectDeposit(position, *one("deposit", proof, public)[:2])
        rc = self._tx(fn, sender=sender)
        self.queue[position] = ("rejected", proof, public)
        return rc

    def invalid_deposits(self, count=None):
        """Queue positions (of the next ``count``, default all) holding a
        deposit whose proof does not verify under the escrow's deposit key
        (checked here, off chain): a batch naming one would revert, so the
        operator rejects them first (:meth:`reject_deposit`)."""
        from zkats.groth16.verifier import verify

        return [
            pos
            for pos, (kind, proof, public) in self.pending(count)
            if kind == "deposit"
            and not _verifies(verify, self.vks["deposit"], split("deposit", public)[0], proof)
        ]

    def pending(self, count=None):
        """``[(position, (kind, proof, public))]`` of the queue positions not
        yet appended (the next ``count`` of them, default all), in order
        (:meth:`queue_entry`)."""
        c = self.contract.functions
        head, n = c.queueHead().call(), c.queuedCount().call()
        n = n if count is None else min(n, count)
        return [(pos, self.queue_entry(pos)) for pos in range(head, head + n)]

    def request_exit(self, proof, public, sender):
        """Returns (receipt, exit id)."""
        args = one("exit", proof, public)
        rc = self._tx(self.contract.functions.requestExit(*args), sender=sender)
        exit_id = self.contract.functions.exitCount().call() - 1
        self.requests[exit_id] = (proof, record("exit", *args[1:]))
        return rc, exit_id

    def complete_exit(self, exit_id, sender):
        position = self.queue_length()
        rc = self._tx(self.contract.functions.completeExit(exit_id), sender=sender)
        self.queue[position] = ("exit", *self.request_of(exit_id))
        return rc

    def _appended(self, leaves):
        for leaf in leaves:
            self.tree.append(int(leaf))

    # -- views
    def request_of(self, exit_id):
        """(Proof, public ints) of exit request ``exit_id``: as this
        process sent it, else from its ``ExitRequested`` event."""
        if exit_id not in self.requests:
            logs = self.contract.events.ExitRequested().get_logs(
                from_block=0, argument_filters={"id": int(exit_id)}
            )
            if not logs:
                raise ChainError(f"exit request {exit_id}: no ExitRequested event")
            args = logs[-1]["args"]
            self.requests[exit_id] = (
                proof_from_words(args["proof"]),
                record("exit", args["pub"], args["ct"]),
            )
        return self.requests[exit_id]

    def queue_entry(self, position):
        """(kind, proof, public) of queue position ``position``: ``deposit``
        (its proof and signals), ``rejected`` (a deposit shown invalid) or
        ``exit`` (a completed exit's change note: its request's exit
        proof); as this process saw it, else from the chain's events."""
        c = self.contract.functions
        entry = self.queue.get(position)
        if entry is None or entry[0] == "deposit":
            if c.depositRejected(position).call():
                if entry is None:
                    _, proof, public = self._deposit_event(position)
                    entry = ("deposit", proof, public)
                entry = ("rejected", *entry[1:])
                self.queue[position] = entry
        if entry is None:
            if int.from_bytes(c.depositHash(position).call(), "big"):
                entry = self._deposit_event(position)
            else:
                logs = self.contract.events.ExitCompleted().get_logs(from_block=0)
                ids = [ev["args"]["id"] for ev in logs if ev["args"]["position"] == position]
                if not ids:
                    raise ChainError(
                        f"queued leaf {position}: no DepositQueued/ExitCompleted event"
                    )
                entry = ("exit", *self.request_of(ids[-1]))
            self.queue[position] = entry
        return entry

    def _deposit_event(self, position):
        logs = self.contract.events.DepositQueued().get_logs(
            from_block=0, argument_filters={"position": int(position)}
        )
        if not logs:
            raise ChainError(f"queued deposit {position}: no DepositQueued event")
        args = logs[-1]["args"]
        return (
            "deposit",
            _proof_or_words(args["proof"]),
            record("deposit", args["pub"], args["ct"]),
        )

    def queued_leaf(self, position):
        return self.contract.functions.queued(position).call()

    def queue_length(self):
        c = self.contract.functions
        return c.queueHead().call() + c.queuedCount().call()

    def balance(self, who):
        return self.token.functions.balanceOf(who).call()

    def last_root(self):
        return self.contract.functions.root().call()

    def root_known(self, root):
        return self.contract.functions.rootKnown(int(root)).call()

    def spent(self, nullifier):
        return self.contract.functions.nullifierSpent(int(nullifier)).call()

    def state(self, accounts=(), nullifiers=(), venue_accounts=()):
        """Everything a rejected call must leave unchanged (``accounts``:
        token holders; ``venue_accounts``: venue account ids, whose health
        and liquidation epochs are compared)."""
        c = self.contract.functions
        return {
            "escrow": self.balance(self.contract.address),
            "balances": [self.balance(a) for a in accounts],
            "roots": c.rootCount().call(),
            "last_root": c.root().call(),
            "leaves": c.nextIndex().call(),
            "queued": c.queuedCount().call(),
            "exits": c.exitCount().call(),
            "fees": c.feeBalance().call(),
            "insurance": c.insuranceBalance().call(),
            "epoch": c.epochId().call(),
            "spent": [c.nullifierSpent(int(n)).call() for n in nullifiers],
            "health": [
                (c.healthyAt(int(a)).call(), c.liquidatedAt(int(a)).call()) for a in venue_accounts
            ],
        }


#: the statements of an item's proofs, in role order (the ledger's rules)
ITEM_CIRCUITS = {
    "trade": ("match", "transition", "transition"),
    "withdraw": ("withdraw",),
    "cancel": ("cancel",),
    "fund_withdraw": (),
    "liquidate": ("liquidate",),
    "health": ("health",),
    "exit": ("exit",),
}


def _proof_or_words(words):
    """The Proof of 8 words, or the words themselves when they are not a
    proof's points (a junk deposit may carry anything: it is rejected)."""
    from zkats.errors import InputError

    try:
        return proof_from_words(words)
    except InputError:
        return [int(x) for x in words]


def _verifies(verify, vk, public, proof):
    """``verify`` (zkats.groth16.verifier); False for points or signals
    that are not a proof's (an error there) and for raw words."""
    from zkats.errors import InputError

    try:
        if isinstance(proof, (list, tuple)):
            proof = proof_from_words(proof)
        return bool(verify(vk, public, proof))
    except InputError:
        return False


def _item_leaves(kind, parts):
    """The new leaves of an item, in the ledger's order (its proofs' ``commitment``)."""
    from .devkeys import circuit_class

    out = []
    for name, (_, public) in zip(ITEM_CIRCUITS[kind], parts):
        sig = circuit_class(name)[1].decode([int(x) for x in public])
        if "commitment" in sig.names() and isinstance(sig.commitment, int):
            out.append(sig.commitment)
    return out


def batch_items(batch):
    """A settlement-service batch (zkats.venue.batch.Batch) as escrow items;
    orders (opened off chain) and deposits (sent on chain by the trader)
    have no on-chain item (ChainError)."""
    items = []
    for i, item in enumerate(batch.items):
        p = {role: (b.proof, b.public) for role, b in item.proofs.items()}
        if item.kind == "trade":
            items.append(trade(p["match"], p["leg_a"], p["leg_b"]))
        elif item.kind == "withdraw":
            items.append(withdrawal(*p["withdraw"]))
        elif item.kind == "cancel":
            items.append(cancel(*p["cancel"]))
        elif item.kind == "fund_withdraw":
            from zkats.domain.operator_key import FUNDS

            op = item.operator
            items.append(fund_withdrawal(FUNDS[op.fund], op.amount, op.recipient, op.seq))
        elif item.kind == "forced_exit":
            raise ChainError(
                f"item {i} (forced_exit): an exit the escrow completed itself; the ledger "
                "mirrors it (zkats.server.escrow_mirror), the operator does not settle it"
            )
        elif item.kind in EPOCH_ITEMS:
            items.append((item.kind, [p[item.kind]]))
        else:
            raise ChainError(
                f"item {i} ({item.kind}): not settled through the escrow "
                f"(deposits are sent by the trader; no on-chain {item.kind} rule yet)"
            )
    return items
