// SPDX-License-Identifier: Apache-2.0
// zkats escrow: collateral in an ERC-20, the nullifier set and the ROOTS of
// the venue's Poseidon note tree (the ledger's tree: same leaves, same
// order).  Every change is accepted only with Groth16 proofs of the venue's
// circuits, all proofs of a call checked with ONE multi-pairing by the
// batch verifier zkats generates for the deployed keys; new leaves are
// appended by `insert` proofs (old root, new root, start, leaves public)
// instead of hashing on chain.  Public-signal offsets come from
// ZkatsLayout.sol, generated from the circuits' statement declarations.
// Design, exit game and trust assumptions: docs/escrow.md.
pragma solidity ^0.8.20;

import "./ZkatsLayout.sol";

interface IERC20Min {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// zkats' generated batch verifier (`zkats zkey export solidityverifier --batch`).
interface IBatchVerifier {
    function verifyBatch(
        uint256[] memory keys,
        uint256[2][] memory a,
        uint256[2][2][] memory b,
        uint256[2][] memory c,
        uint256[] memory input
    ) external view returns (bool);

    function verifyBatchFlat(
        uint256[] calldata keys,
        uint256[] calldata proofs,
        uint256[] calldata input
    ) external view returns (bool);
}

contract ZkatsEscrow {
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 public constant MATCH_MAX_AGE = 3600;
    uint256 public constant CLOCK_SKEW = 60;
    /// the least gas ``rejectDeposit`` verifies a deposit proof with: well
    /// above one Groth16 check of DEPOSIT_N inputs (4 pairings, an ecMul
    /// and an ecAdd per input), so running short cannot fake an invalid proof
    uint256 public constant REJECT_GAS = 600_000 + 12_000 * ZkatsLayout.DEPOSIT_N;

    /// key ids of the batch verifier
    uint256 public constant KEY_DEPOSIT = 0;
    uint256 public constant KEY_WITHDRAW = 1;
    uint256 public constant KEY_MATCH = 2;
    uint256 public constant KEY_TRANSITION = 3;
    uint256 public constant KEY_INSERT = 4;
    uint256 public constant KEY_CANCEL = 5;
    /// the keys of the epoch statements, in their own verifier (epochVerifier:
    /// the batch verifier with them would exceed the EVM's code size limits)
    uint256 public constant KEY_ORACLE_EPOCH = 0;
    uint256 public constant KEY_LIQUIDATE = 1;
    uint256 public constant KEY_HEALTH = 2;
    uint256 public constant KEY_EXIT = 3;

    /// settlement item kinds
    uint256 public constant ITEM_TRADE = 1;
    uint256 public constant ITEM_WITHDRAW = 2;
    uint256 public constant ITEM_CANCEL = 3;
    uint256 public constant ITEM_FUND_WITHDRAW = 4;
    uint256 public constant ITEM_LIQUIDATE = 5;
    uint256 public constant ITEM_HEALTH = 6;
    uint256 public constant ITEM_EXIT = 7;
    /// a fund withdrawal's words in the batch input: fund, amount, recipient, sequence number
    uint256 internal constant FUND_WITHDRAW_N = 4;
    /// fund codes: zkats.domain.operator_key.FUNDS
    uint256 public constant FUND_FEE = 1;
    uint256 public constant FUND_INSURANCE = 2;

    /// proofs of one call: the snarkjs calldata layout, one entry per proof
    struct Proofs {
        uint256[2][] a;
        uint256[2][2][] b;
        uint256[2][] c;
    }

    /// A settlement batch, in the ledger's item order.  ``deposits`` queue
    /// positions are appended first (on-chain deposits, completed exits'
    /// change notes; rejected deposits skipped); ``proofs`` holds those
    /// deposits' proofs, then the items' proofs in order (a trade: match,
    /// leg_a, leg_b; a withdrawal: withdraw; a cancel: cancel; a fund
    /// withdrawal: none), then the insert proofs, then the liquidation,
    /// health and exit proofs in item order (checked by the epoch verifier);
    /// ``input`` the deposits' public signals, then the items' in item
    /// order (a fund withdrawal: its four words; the insert proofs' signals
    /// are made by the contract); ``newRoots`` is each insert proof's new
    /// root.
    struct Batch {
        uint256[] kinds;
        Proofs proofs;
        uint256[] input;
        uint256 deposits;
        uint256[] newRoots;
    }

    struct ExitRequest {
        uint256 nullifier;
        uint256 commitment;
        uint256 amount;
        address recipient;
        uint64 at;
        bool done;
    }

    IERC20Min public immutable token;
    IBatchVerifier public immutable verifier;
    IBatchVerifier public immutable epochVerifier;
    address public immutable operator;
    uint256 public immutable asset;
    uint256 public immutable forceTimeout;
    /// the note tree's depth and the insert circuit's leaf count
    uint256 public immutable depth;
    uint256 public immutable insertK;
    /// the last ``exitReserve`` leaves of the tree are kept for exits
    /// change notes (settle and deposit stop short of them)
    uint256 public immutable exitReserve;
    /// the smallest deposit (no dust deposit grows the tree), and the bounty
    /// a junk deposit pays its rejector (``rejectDeposit``)
    uint256 public immutable minDeposit;
    /// the oracle's Baby Jubjub public key: epochs are accepted only with
    /// a proof of its signature (the oracle_epoch circuit)
    uint256 public immutable oracleX;
    uint256 public immutable oracleY;

    /// the public funds: the fee account (credited by settled trades) and
    /// the insurance fund (credited by liquidation penalties, debited by
    /// bankruptcies' shortfalls: below zero is a deficit, the venue's debt,
    /// repaid first by trading fees); the operator withdraws from them only
    /// by a fund-withdrawal item of a batch, numbered, logged
    /// (FundWithdrawn), never while the insurance fund is in deficit
    uint256 public feeBalance;
    int256 public insuranceBalance;
    uint256 public fundWithdrawals;

    mapping(uint256 => bool) public nullifierSpent;
    mapping(uint256 => bool) public commitmentKnown;
    mapping(bytes32 => bool) public orderConsumed;
    mapping(uint256 => bool) public rootKnown;
    uint256 public root;
    uint256 public nextIndex;
    uint256 public rootCount;

    /// leaves waiting to be appended, in order: on-chain deposits' new notes
    /// and completed exits' change notes
    uint256[] public queued;
    uint64[] public queuedAt;
    uint256 public queueHead;
    /// queue position => keccak256(proof words, public signals) of an
    /// on-chain deposit, verified only by the batch that appends it (0: a
    /// completed exit's change note, which needs no proof)
    mapping(uint256 => bytes32) public depositHash;
    /// queue position => who paid the deposit (refunded if it is rejected)
    mapping(uint256 => address) public depositFrom;
    /// queue position => the deposit's proof was shown invalid
    /// (rejectDeposit): skipped, never appended
    mapping(uint256 => bool) public depositRejected;

    uint256 public epochId;
    uint256 public epochHash;
    uint256 public epochDeadline;
    /// every published epoch's data hash and health deadline (health proofs
    /// may use any published epoch before its deadline, as on the ledger)
    mapping(uint256 => uint256) public epochHashOf;
    mapping(uint256 => uint256) public epochDeadlineOf;
    /// account => the latest epoch it proved health for (0: none)
    mapping(uint256 => uint256) public healthyAt;
    /// account => the epoch of its latest liquidation (0: none)
    mapping(uint256 => uint256) public liquidatedAt;

    ExitRequest[] public exits;
    /// nullifier => 1 + exit request id (0: none)
    mapping(uint256 => uint256) public exitOf;

    /// ``ct`` (deposits, exit requests): the new note's ciphertext, carried for
    /// the settlement service; the proof binds its hash (``pub``'s
    /// ``ciphertext_hash``), which the contract does not recompute: words
    /// that are not the hashed ones leave the proof valid and only the note
    /// unreadable to its viewing-key holders (the service keeps no
    /// ciphertext for it)
    event DepositQueued(uint256 indexed position, uint256 indexed nullifier, uint256 amount,
                        uint256[8] proof, uint256[] pub, uint256[] ct);
    event DepositRejected(uint256 indexed position, address depositor, uint256 refund,
                          address rejector, uint256 bounty);
    event Settled(uint256 items, uint256 deposits, uint256 leaves, uint256 root);
    event DepositsIncluded(uint256 deposits, uint256 root);
    event Withdrawn(uint256 indexed nullifier, address recipient, uint256 amount);
    event RootAccepted(uint256 indexed root, uint256 leaves);
    event EpochPublished(uint256 indexed id, uint256 hash, uint256 deadline);
    event OrderCancelled(uint256 x, uint256 y);
    event FundWithdrawn(uint256 indexed seq, uint256 fund, address recipient, uint256 amount,
                        uint256 balance);
    event ExitRequested(uint256 indexed id, uint256 indexed nullifier, uint256[8] proof,
                        uint256[] pub, uint256[] ct);
    event Liquidated(uint256 indexed account, uint256 indexed epoch, uint256 penalty,
                     uint256 shortfall, int256 insurance);
    event HealthProved(uint256 indexed account, uint256 indexed epoch);
    event ExitCompleted(uint256 indexed id, uint256 indexed nullifier, uint256 position);

    constructor(address token_, address[2] memory verifiers_, uint256 asset_, uint256 forceTimeout_,
                uint256 depth_, uint256 insertK_, uint256 emptyRoot_, uint256 exitReserve_,
                uint256 minDeposit_, uint256[2] memory oracle_) {
        require(depth_ >= 1 && depth_ <= 64 && insertK_ >= 1, "zkats: bad tree parameters");
        require(exitReserve_ < (uint256(1) << depth_), "zkats: bad tree parameters");
        require(minDeposit_ >= 1, "zkats: bad minimum deposit");
        token = IERC20Min(token_);
        verifier = IBatchVerifier(verifiers_[0]);
        epochVerifier = IBatchVerifier(verifiers_[1]);
        operator = msg.sender;
        asset = asset_;
        forceTimeout = forceTimeout_;
        depth = depth_;
        insertK = insertK_;
        exitReserve = exitReserve_;
        minDeposit = minDeposit_;
        oracleX = oracle_[0];
        oracleY = oracle_[1];
        _acceptRoot(emptyRoot_);
    }

    modifier onlyOperator() {
        require(msg.sender == operator, "zkats: not the operator");
        _;
    }

    // ------------------------------------------------------------ views

    function lastRoot() external view returns (uint256) {
        return root;
    }

    function queuedCount() external view returns (uint256) {
        return queued.length - queueHead;
    }

    function exitCount() external view returns (uint256) {
        return exits.length;
    }

    // ------------------------------------------------------------ operator

    /// The oracle epoch (id, Poseidon hash of its data, health deadline)
    /// trades, withdrawals and exit requests must use, accepted from
    /// anyone with a proof of the oracle key's signature of exactly these
    /// three values (so the operator cannot forge prices, and a trader can
    /// publish the latest signed epoch when the operator does not).  Ids
    /// only increase: an old epoch cannot be replayed.
    function publishEpoch(uint256 id, uint256 hash, uint256 deadline, uint256[8] calldata proof)
        external
    {
        require(id > epochId, "zkats: epoch id must increase");
        require(hash < R && deadline < R, "zkats: public input >= r");
        uint256[] memory pub = new uint256[](ZkatsLayout.ORACLE_EPOCH_N);
        pub[ZkatsLayout.ORACLE_EPOCH_EPOCH_ID] = id;
        pub[ZkatsLayout.ORACLE_EPOCH_EPOCH_HASH] = hash;
        pub[ZkatsLayout.ORACLE_EPOCH_DEADLINE] = deadline;
        pub[ZkatsLayout.ORACLE_EPOCH_ORACLE_X] = oracleX;
        pub[ZkatsLayout.ORACLE_EPOCH_ORACLE_Y] = oracleY;
        require(_verifyOne(epochVerifier, KEY_ORACLE_EPOCH, proof, pub),
                "zkats: not signed by the oracle key");
        epochId = id;
        epochHash = hash;
        epochDeadline = deadline;
        epochHashOf[id] = hash;
        epochDeadlineOf[id] = deadline;
        emit EpochPublished(id, hash, deadline);
    }

    /// A settlement batch, all or nothing: the queued deposits it names,
    /// then its items in order, their new notes appended in that order by
    /// the insert proofs; every proof checked in one multi-pairing per
    /// verifier (the epoch verifier only when the batch has liquidations or
    /// health proofs).
    function settle(Batch calldata bt) external onlyOperator {
        uint256 nItems = bt.kinds.length;
        require(nItems > 0 || bt.deposits > 0, "zkats: empty batch");
        require(bt.deposits <= queued.length - queueHead, "zkats: fewer deposits queued");
        Acc memory z = _accFor(bt.kinds, bt.deposits);
        uint256 off = _queuedLeaves(z, bt.deposits, bt.proofs, bt.input);
        address[] memory payTo = new address[](nItems);
        uint256[] memory payAmount = new uint256[](nItems);
        uint256[] calldata x = bt.input;
        for (uint256 i = 0; i < nItems; i++) {
            uint256 kind = bt.kinds[i];
            if (kind == ITEM_TRADE) {
                _trade(x, off);
                uint256 ta = off + ZkatsLayout.MATCH_N;
                uint256 tb = ta + ZkatsLayout.TRANSITION_N;
                z.leaves[z.nLeaves++] = x[ta + ZkatsLayout.TRANSITION_COMMITMENT];
                z.leaves[z.nLeaves++] = x[tb + ZkatsLayout.TRANSITION_COMMITMENT];
                _main(z, x, off, KEY_MATCH, ZkatsLayout.MATCH_N);
                _main(z, x, ta, KEY_TRANSITION, ZkatsLayout.TRANSITION_N);
                _main(z, x, tb, KEY_TRANSITION, ZkatsLayout.TRANSITION_N);
                off = tb + ZkatsLayout.TRANSITION_N;
            } else if (kind == ITEM_WITHDRAW) {
                (payTo[i], payAmount[i]) = _payout(x, off, ZkatsLayout.WITHDRAW_N);
                z.leaves[z.nLeaves++] = x[off + ZkatsLayout.WITHDRAW_COMMITMENT];
                _main(z, x, off, KEY_WITHDRAW, ZkatsLayout.WITHDRAW_N);
                off += ZkatsLayout.WITHDRAW_N;
            } else if (kind == ITEM_CANCEL) {
                _cancel(x, off);
                _main(z, x, off, KEY_CANCEL, ZkatsLayout.CANCEL_N);
                off += ZkatsLayout.CANCEL_N;
            } else if (kind == ITEM_FUND_WITHDRAW) {
                (payTo[i], payAmount[i]) = _fundWithdraw(x, off);
                off += FUND_WITHDRAW_N;
            } else if (kind == ITEM_EXIT) {
                (payTo[i], payAmount[i]) = _payout(x, off, ZkatsLayout.EXIT_N);
                z.leaves[z.nLeaves++] = x[off + ZkatsLayout.EXIT_COMMITMENT];
                _epochItem(z, x, off, KEY_EXIT, ZkatsLayout.EXIT_N);
                off += ZkatsLayout.EXIT_N;
            } else if (kind == ITEM_LIQUIDATE) {
                _liquidate(x, off);
                z.leaves[z.nLeaves++] = x[off + ZkatsLayout.LIQUIDATE_COMMITMENT];
                _epochItem(z, x, off, KEY_LIQUIDATE, ZkatsLayout.LIQUIDATE_N);
                off += ZkatsLayout.LIQUIDATE_N;
            } else {
                _health(x, off);
                _epochItem(z, x, off, KEY_HEALTH, ZkatsLayout.HEALTH_N);
                off += ZkatsLayout.HEALTH_N;
            }
        }
        require(off == x.length, "zkats: public inputs do not fit the items");
        require(
            nextIndex + z.nLeaves + exitReserve <= (uint256(1) << depth), "zkats: note tree full"
        );
        queueHead += bt.deposits;
        _appendVerified(z, bt.proofs, bt.newRoots);
        for (uint256 i = 0; i < nItems; i++) {
            if (payAmount[i] != 0) _pay(payTo[i], payAmount[i]);
        }
        emit Settled(nItems, bt.deposits, z.nLeaves, root);
    }

    // ------------------------------------------------------------ traders

    /// Deposit: the caller pays ``amount`` (at least ``minDeposit``) of the
    /// token; the deposit proof spends the account's note (or its genesis
    /// nullifier) and makes the note with ``collateral + amount``, which
    /// waits in the queue until a batch (or, after ``forceTimeout``,
    /// anyone: :func:`includeDeposits`) appends it.  The proof is NOT
    /// verified here: its hash is stored with the entry, and the batch that
    /// appends the note carries the proof into its multi-pairing (nothing
    /// enters the tree unverified); an invalid one is taken out of the
    /// queue by :func:`rejectDeposit`.  The event carries the proof, its
    /// public signals and the note's ciphertext ``ct``: the settlement
    /// service applies the same deposit at the same place in its tree.
    function deposit(uint256[8] calldata proof, uint256[] calldata pub, uint256[] calldata ct)
        external
    {
        require(pub.length == ZkatsLayout.DEPOSIT_N, "zkats: wrong number of public inputs");
        _checkInputs(pub, 0, pub.length);
        require(rootKnown[pub[ZkatsLayout.DEPOSIT_ROOT]], "zkats: unknown root");
        require(pub[ZkatsLayout.DEPOSIT_ASSET] == asset, "zkats: wrong asset");
        uint256 amount = pub[ZkatsLayout.DEPOSIT_AMOUNT];
        require(amount >= minDeposit, "zkats: deposit below the minimum");
        uint256 nullifier = pub[ZkatsLayout.DEPOSIT_NULLIFIER];
        _spend(nullifier);
        uint256 leaf = pub[ZkatsLayout.DEPOSIT_COMMITMENT];
        _newCommitment(leaf);
        require(nextIndex + (queued.length - queueHead) + 1 + exitReserve <= (uint256(1) << depth),
                "zkats: note tree full");
        require(token.transferFrom(msg.sender, address(this), amount),
                "zkats: token transfer failed");
        uint256 position = queued.length;
        depositHash[position] = keccak256(abi.encodePacked(proof, pub));
        depositFrom[position] = msg.sender;
        emit DepositQueued(position, nullifier, amount, proof, pub, ct);
        queued.push(leaf);
        queuedAt.push(uint64(block.timestamp));
    }

    /// A queued deposit whose proof is invalid, shown by anyone: its proof
    /// and public signals (matching the hash ``deposit`` stored) are
    /// verified alone; if the proof fails, the caller is paid ``minDeposit``
    /// out of the deposit (the rejection bounty: a junk deposit costs its
    /// sender at least that, and pays whoever clears it from the queue),
    /// the depositor is refunded the rest, the
    /// deposit's nullifier and commitment are released (so a front-runner
    /// that copied a pending deposit's nullifier with a junk proof only
    /// delays it) and the entry is skipped: no batch appends it, and it no
    /// longer blocks the queue.  A valid proof cannot be rejected (the
    /// verification gets at least ``REJECT_GAS``, so a short budget cannot
    /// make it fail).
    function rejectDeposit(uint256 position, uint256[8] calldata proof, uint256[] calldata pub)
        external
    {
        require(position >= queueHead && position < queued.length,
                "zkats: no such queued deposit");
        bytes32 h = depositHash[position];
        require(h != 0 && !depositRejected[position], "zkats: no such queued deposit");
        require(h == keccak256(abi.encodePacked(proof, pub)),
                "zkats: not the queued deposit's proof");
        require(gasleft() >= REJECT_GAS, "zkats: not enough gas to verify the deposit");
        require(!_verifyOne(verifier, KEY_DEPOSIT, proof, pub), "zkats: the deposit proof is valid");
        depositRejected[position] = true;
        nullifierSpent[pub[ZkatsLayout.DEPOSIT_NULLIFIER]] = false;
        commitmentKnown[pub[ZkatsLayout.DEPOSIT_COMMITMENT]] = false;
        // deposit() took amount >= minDeposit: the rejector is paid
        // minDeposit out of it for its verification, the depositor the rest
        uint256 refund = pub[ZkatsLayout.DEPOSIT_AMOUNT] - minDeposit;
        address from = depositFrom[position];
        emit DepositRejected(position, from, refund, msg.sender, minDeposit);
        require(token.transfer(msg.sender, minDeposit), "zkats: token transfer failed");
        if (refund > 0) require(token.transfer(from, refund), "zkats: token transfer failed");
    }

    /// Appends the first ``count`` queue positions with insert proofs (the
    /// deposits' proofs and signals in ``proofs`` / ``input`` first, as in
    /// ``settle``; rejected deposits skipped): anyone,
    /// once the oldest of them has waited ``forceTimeout`` (an operator
    /// that stops settling cannot keep a deposit or a change note out of
    /// the tree), or at once when they reach into the exit reserve (where
    /// batches cannot append them).
    function includeDeposits(uint256 count, Proofs calldata proofs, uint256[] calldata input,
                             uint256[] calldata newRoots)
        external
    {
        require(count > 0 && count <= queued.length - queueHead, "zkats: fewer deposits queued");
        uint256 cap = uint256(1) << depth;
        require(block.timestamp >= queuedAt[queueHead] + forceTimeout
                || nextIndex + count + exitReserve > cap, "zkats: deposit timeout not reached");
        (uint256 nProofs, uint256 words, uint256 nLeaves) = _queueSizes(count);
        Acc memory z = _newAcc(nProofs, words, 0, 0, nLeaves);
        require(_queuedLeaves(z, count, proofs, input) == input.length,
                "zkats: public inputs do not fit the items");
        require(nextIndex + nLeaves <= cap, "zkats: note tree full");
        queueHead += count;
        _appendVerified(z, proofs, newRoots);
        emit DepositsIncluded(count, root);
    }

    /// Exit, step 1 (the trader alone): an exit proof signed by the note's
    /// owner (its whole equity at the epoch's marks to the proven
    /// recipient, every position to the venue's backstop at the mark, an
    /// empty change note), against a root the contract knows, at the latest
    /// epoch (the price of the exit).  Verified now; nothing moves yet.  The
    /// operator serves it by settling that exit (or any spend the owner
    /// signed) within ``forceTimeout``; otherwise step 2.
    function requestExit(uint256[8] calldata proof, uint256[] calldata pub, uint256[] calldata ct)
        external
    {
        require(pub.length == ZkatsLayout.EXIT_N, "zkats: wrong number of public inputs");
        (address to, uint256 amount) = _payoutChecks(pub);
        uint256 nullifier = pub[ZkatsLayout.EXIT_NULLIFIER];
        require(exitOf[nullifier] == 0, "zkats: exit already requested");
        require(_verifyOne(epochVerifier, KEY_EXIT, proof, pub), "zkats: invalid exit proof");
        exits.push(ExitRequest(nullifier, pub[ZkatsLayout.EXIT_COMMITMENT], amount, to,
                               uint64(block.timestamp), false));
        exitOf[nullifier] = exits.length;
        emit ExitRequested(exits.length - 1, nullifier, proof, pub, ct);
    }

    /// Exit, step 2 (anyone, after ``forceTimeout``, if the note is still
    /// unspent): spends the nullifier, pays the proven amount to the proven
    /// recipient and queues the change note like an on-chain deposit (the
    /// next batch appends it; or anyone, :func:`includeDeposits`).  It
    /// takes no proof and no root, so no later batch can make it stale;
    /// nothing else stops: no other trader waits on this, and a full tree
    /// does not block it (only the change note waits for room).
    function completeExit(uint256 id) external {
        require(id < exits.length, "zkats: no such exit request");
        ExitRequest storage e = exits[id];
        require(!e.done, "zkats: exit already completed");
        require(block.timestamp >= uint256(e.at) + forceTimeout, "zkats: exit timeout not reached");
        _spend(e.nullifier);
        e.done = true;
        emit ExitCompleted(id, e.nullifier, queued.length);
        queued.push(e.commitment);
        queuedAt.push(uint64(block.timestamp));
        _pay(e.recipient, e.amount);
    }

    // ------------------------------------------------------------ items

    function _trade(uint256[] calldata x, uint256 m) internal {
        uint256 a = m + ZkatsLayout.MATCH_N;
        uint256 b = a + ZkatsLayout.TRANSITION_N;
        require(x.length >= b + ZkatsLayout.TRANSITION_N, "zkats: public inputs do not fit the items");
        _checkInputs(x, m, b + ZkatsLayout.TRANSITION_N);
        require(x[m + ZkatsLayout.MATCH_REVEAL_PRICE] <= 1, "zkats: reveal_price must be 0 or 1");
        uint256 t = x[m + ZkatsLayout.MATCH_NOW];
        require(t + MATCH_MAX_AGE >= block.timestamp && t <= block.timestamp + CLOCK_SKEW,
                "zkats: match time not current");
        uint256 oa = m + ZkatsLayout.MATCH_ORDER_A;
        uint256 ob = m + ZkatsLayout.MATCH_ORDER_B;
        require(x[oa] != x[ob] || x[oa + 1] != x[ob + 1], "zkats: an order cannot match itself");
        require(_applies(x, a, m, ZkatsLayout.MATCH_LEG_A, ZkatsLayout.MATCH_TAG_A),
                "zkats: leg_a transition does not apply the match");
        require(_applies(x, b, m, ZkatsLayout.MATCH_LEG_B, ZkatsLayout.MATCH_TAG_B),
                "zkats: leg_b transition does not apply the match");
        _checkEpoch(x[a + ZkatsLayout.TRANSITION_EPOCH_ID], x[a + ZkatsLayout.TRANSITION_EPOCH_HASH]);
        _checkEpoch(x[b + ZkatsLayout.TRANSITION_EPOCH_ID], x[b + ZkatsLayout.TRANSITION_EPOCH_HASH]);
        require(rootKnown[x[a + ZkatsLayout.TRANSITION_ROOT]]
                && rootKnown[x[b + ZkatsLayout.TRANSITION_ROOT]], "zkats: unknown root");
        _consumeOrder(x[oa], x[oa + 1]);
        _consumeOrder(x[ob], x[ob + 1]);
        _spend(x[a + ZkatsLayout.TRANSITION_NULLIFIER]);
        _spend(x[b + ZkatsLayout.TRANSITION_NULLIFIER]);
        _newCommitment(x[a + ZkatsLayout.TRANSITION_COMMITMENT]);
        _newCommitment(x[b + ZkatsLayout.TRANSITION_COMMITMENT]);
        _creditFees(x[a + ZkatsLayout.TRANSITION_FEE] + x[b + ZkatsLayout.TRANSITION_FEE]);
    }

    /// Trading fees repay an insurance-fund deficit first, the rest credits
    /// the fee account (the ledger's fee_split).
    function _creditFees(uint256 fees) internal {
        int256 ins = insuranceBalance;
        if (ins < 0) {
            uint256 debt = uint256(-ins);
            uint256 t = fees < debt ? fees : debt;
            insuranceBalance = ins + int256(t);
            fees -= t;
        }
        feeBalance += fees;
    }

    /// A liquidation (the risk engine's proof, signed with the account's
    /// liquidation capability; the circuit shows the note fails maintenance
    /// margin at the epoch's marks): only at the latest epoch once its
    /// health deadline has passed, for an account without a health proof
    /// for that epoch or a later one, once per epoch and account.  The
    /// penalty credits the insurance fund; a bankrupt account's shortfall is
    /// covered by the waterfall (the ledger's): the insurance fund, then
    /// the fee account, then a deficit (the insurance fund below zero).
    function _liquidate(uint256[] calldata x, uint256 o) internal {
        require(x.length >= o + ZkatsLayout.LIQUIDATE_N, "zkats: public inputs do not fit the items");
        _checkInputs(x, o, o + ZkatsLayout.LIQUIDATE_N);
        uint256 account = x[o + ZkatsLayout.LIQUIDATE_ACCOUNT];
        uint256 id = x[o + ZkatsLayout.LIQUIDATE_EPOCH_ID];
        require(healthyAt[account] < id, "zkats: the account proved health at or after this epoch");
        _checkEpoch(id, x[o + ZkatsLayout.LIQUIDATE_EPOCH_HASH]);
        require(block.timestamp > epochDeadline, "zkats: the epoch's health deadline has not passed");
        require(liquidatedAt[account] != id, "zkats: account already liquidated at this epoch");
        require(rootKnown[x[o + ZkatsLayout.LIQUIDATE_ROOT]], "zkats: unknown root");
        liquidatedAt[account] = id;
        _spend(x[o + ZkatsLayout.LIQUIDATE_NULLIFIER]);
        _newCommitment(x[o + ZkatsLayout.LIQUIDATE_COMMITMENT]);
        uint256 penalty = x[o + ZkatsLayout.LIQUIDATE_PENALTY];
        uint256 shortfall = x[o + ZkatsLayout.LIQUIDATE_SHORTFALL];
        // both are range-checked by the circuit (far below 2^255)
        int256 ins = insuranceBalance + int256(penalty);
        if (shortfall > 0) {
            uint256 cover = ins > 0 ? uint256(ins) : 0;
            uint256 fromFee;
            if (shortfall > cover) {
                fromFee = shortfall - cover;
                if (fromFee > feeBalance) fromFee = feeBalance;
                feeBalance -= fromFee;
            }
            ins -= int256(shortfall - fromFee);
        }
        insuranceBalance = ins;
        emit Liquidated(account, id, penalty, shortfall, ins);
    }

    /// A health proof (the account's live note meets maintenance margin at
    /// a published epoch, before that epoch's deadline; the nullifier is
    /// shown unspent, not spent): the account cannot be liquidated at that
    /// epoch or an earlier one.  Refused for an epoch at or before the
    /// latest one the account proved health for.
    function _health(uint256[] calldata x, uint256 o) internal {
        require(x.length >= o + ZkatsLayout.HEALTH_N, "zkats: public inputs do not fit the items");
        _checkInputs(x, o, o + ZkatsLayout.HEALTH_N);
        uint256 id = x[o + ZkatsLayout.HEALTH_EPOCH_ID];
        require(id != 0 && epochHashOf[id] == x[o + ZkatsLayout.HEALTH_EPOCH_HASH],
                "zkats: unknown oracle epoch");
        require(block.timestamp <= epochDeadlineOf[id], "zkats: health proof past its deadline");
        require(rootKnown[x[o + ZkatsLayout.HEALTH_ROOT]], "zkats: unknown root");
        require(!nullifierSpent[x[o + ZkatsLayout.HEALTH_NULLIFIER]],
                "zkats: nullifier already spent");
        uint256 account = x[o + ZkatsLayout.HEALTH_ACCOUNT];
        // as the ledger: one health proof per account and epoch, none for an
        // epoch older than the latest it proved (it would change nothing)
        require(healthyAt[account] < id, "zkats: the account already proved health for this or a later epoch");
        healthyAt[account] = id;
        emit HealthProved(account, id);
    }

    /// transition at ``t`` applies the match at ``m``'s leg and tag, for its instrument
    function _applies(uint256[] calldata x, uint256 t, uint256 m, uint256 leg, uint256 tag)
        internal pure returns (bool)
    {
        return x[t + ZkatsLayout.TRANSITION_LEG] == x[m + leg]
            && x[t + ZkatsLayout.TRANSITION_LEG + 1] == x[m + leg + 1]
            && x[t + ZkatsLayout.TRANSITION_TAG] == x[m + tag]
            && x[t + ZkatsLayout.TRANSITION_INSTRUMENT] == x[m + ZkatsLayout.MATCH_INSTRUMENT];
    }

    /// The owner withdraws an order (its cancel proof): consumed, never matched after.
    function _cancel(uint256[] calldata x, uint256 o) internal {
        require(x.length >= o + ZkatsLayout.CANCEL_N, "zkats: public inputs do not fit the items");
        _checkInputs(x, o, o + ZkatsLayout.CANCEL_N);
        uint256 cx = x[o + ZkatsLayout.CANCEL_ORDER];
        uint256 cy = x[o + ZkatsLayout.CANCEL_ORDER + 1];
        _consumeOrder(cx, cy);
        emit OrderCancelled(cx, cy);
    }

    /// The operator (the only sender of a batch) takes ``amount`` out of
    /// the fee account or the insurance fund: numbered in sequence, within
    /// the fund's balance, logged.
    function _fundWithdraw(uint256[] calldata x, uint256 o) internal returns (address, uint256) {
        require(x.length >= o + FUND_WITHDRAW_N, "zkats: public inputs do not fit the items");
        uint256 fund = x[o];
        uint256 amount = x[o + 1];
        uint256 to = x[o + 2];
        require(x[o + 3] == fundWithdrawals + 1, "zkats: fund withdrawal out of sequence");
        require(to >> 160 == 0, "zkats: recipient is not an address");
        require(amount > 0, "zkats: amount must be positive");
        require(insuranceBalance >= 0, "zkats: the insurance fund is in deficit");
        uint256 left;
        if (fund == FUND_FEE) {
            require(amount <= feeBalance, "zkats: amount exceeds the fund's balance");
            left = feeBalance = feeBalance - amount;
        } else if (fund == FUND_INSURANCE) {
            require(amount <= uint256(insuranceBalance), "zkats: amount exceeds the fund's balance");
            insuranceBalance -= int256(amount);
            left = uint256(insuranceBalance);
        } else {
            revert("zkats: unknown fund");
        }
        fundWithdrawals += 1;
        emit FundWithdrawn(fundWithdrawals, fund, address(uint160(to)), amount, left);
        return (address(uint160(to)), amount);
    }

    /// A payout item of a batch: a withdrawal (`n` = WITHDRAW_N) or an exit
    /// served in a batch (EXIT_N: the owner's exit proof at the latest epoch;
    /// the positions it held go to the venue's backstop on the ledger, the
    /// chain holding none, as for liquidations).  The note is spent, the
    /// amount paid, the change note appended.
    function _payout(uint256[] calldata x, uint256 o, uint256 n) internal returns (address, uint256) {
        require(x.length >= o + n, "zkats: public inputs do not fit the items");
        (address to, uint256 amount) = _payoutChecks(x[o:o + n]);
        _spend(x[o + ZkatsLayout.WITHDRAW_NULLIFIER]);
        _newCommitment(x[o + ZkatsLayout.WITHDRAW_COMMITMENT]);
        return (to, amount);
    }

    /// The checks of a withdraw or exit statement's signals, which share the
    /// positions of root, nullifier, commitment, asset, amount, recipient
    /// and epoch (`zkats.chain.layout` refuses to generate a layout where
    /// they differ).
    function _payoutChecks(uint256[] calldata p) internal view returns (address, uint256) {
        _checkInputs(p, 0, p.length);
        require(rootKnown[p[ZkatsLayout.WITHDRAW_ROOT]], "zkats: unknown root");
        require(p[ZkatsLayout.WITHDRAW_ASSET] == asset, "zkats: wrong asset");
        uint256 to = p[ZkatsLayout.WITHDRAW_RECIPIENT];
        require(to >> 160 == 0, "zkats: recipient is not an address");
        require(!nullifierSpent[p[ZkatsLayout.WITHDRAW_NULLIFIER]], "zkats: nullifier already spent");
        _checkEpoch(p[ZkatsLayout.WITHDRAW_EPOCH_ID], p[ZkatsLayout.WITHDRAW_EPOCH_HASH]);
        return (address(uint160(to)), p[ZkatsLayout.WITHDRAW_AMOUNT]);
    }

    // ------------------------------------------------------------ internals

    function _checkEpoch(uint256 id, uint256 hash) internal view {
        require(id == epochId && hash == epochHash && id != 0, "zkats: not the latest oracle epoch");
    }

    /// p[from .. to) are field elements (the callers checked to <= p.length)
    function _checkInputs(uint256[] calldata p, uint256 from, uint256 to) internal pure {
        require(to <= p.length, "zkats: public inputs do not fit the items");
        bool big;
        assembly {
            let end := add(p.offset, mul(to, 0x20))
            for { let q := add(p.offset, mul(from, 0x20)) } lt(q, end) { q := add(q, 0x20) } {
                big := or(big, iszero(lt(calldataload(q), R)))
            }
        }
        require(!big, "zkats: public input >= r");
    }

    function _spend(uint256 nullifier) internal {
        require(!nullifierSpent[nullifier], "zkats: nullifier already spent");
        nullifierSpent[nullifier] = true;
    }

    function _newCommitment(uint256 c) internal {
        require(!commitmentKnown[c], "zkats: note commitment already exists");
        commitmentKnown[c] = true;
    }

    function _consumeOrder(uint256 x, uint256 y) internal {
        bytes32 k = keccak256(abi.encode(x, y));
        require(!orderConsumed[k], "zkats: order already matched");
        orderConsumed[k] = true;
    }

    function _pay(address to, uint256 amount) internal {
        require(token.transfer(to, amount), "zkats: token transfer failed");
        emit Withdrawn(0, to, amount);
    }

    /// One proof on its own (a batch of one: the same 4 pairings as a
    /// single Groth16 verification).
    function _verifyOne(IBatchVerifier v, uint256 key, uint256[8] calldata pr,
                        uint256[] memory pub)
        internal view returns (bool)
    {
        uint256[] memory keys = new uint256[](1);
        keys[0] = key;
        uint256[] memory flat = new uint256[](8);
        assembly {
            calldatacopy(add(flat, 0x20), pr, 0x100)
        }
        return _verifyFlat(v, keys, flat, pub);
    }

    /// What a call's proofs are checked with: the main verifier's key ids
    /// and public inputs (the items', then the insert proofs'), the epoch
    /// verifier's (liquidations, health proofs), the leaves to append.
    struct Acc {
        uint256[] keys;
        uint256[] all;
        uint256 p;
        uint256 off;
        uint256[] ekeys;
        uint256[] ein;
        uint256 ep;
        uint256 eoff;
        uint256[] leaves;
        uint256 nLeaves;
    }

    function _newAcc(uint256 nProofs, uint256 words, uint256 nEpoch, uint256 eWords,
                     uint256 nLeaves) internal view returns (Acc memory z)
    {
        uint256 nIns = (nLeaves + insertK - 1) / insertK;
        z.keys = new uint256[](nProofs + nIns);
        z.all = new uint256[](words + nIns * (ZkatsLayout.INSERT_BASE + insertK));
        z.ekeys = new uint256[](nEpoch);
        z.ein = new uint256[](eWords);
        z.leaves = new uint256[](nLeaves);
    }

    /// The accumulator sized for a batch of ``kinds`` after ``deposits`` queued leaves.
    function _accFor(uint256[] calldata kinds, uint256 deposits)
        internal view returns (Acc memory)
    {
        (uint256 nProofs, uint256 words, uint256 nLeaves) = _queueSizes(deposits);
        uint256 nEpoch;
        uint256 eWords;
        for (uint256 i = 0; i < kinds.length; i++) {
            uint256 kind = kinds[i];
            if (kind == ITEM_TRADE) {
                nProofs += 3;
                words += ZkatsLayout.MATCH_N + 2 * ZkatsLayout.TRANSITION_N;
                nLeaves += 2;
            } else if (kind == ITEM_WITHDRAW) {
                nProofs += 1;
                words += ZkatsLayout.WITHDRAW_N;
                nLeaves += 1;
            } else if (kind == ITEM_CANCEL) {
                nProofs += 1;
                words += ZkatsLayout.CANCEL_N;
            } else if (kind == ITEM_LIQUIDATE) {
                nEpoch += 1;
                eWords += ZkatsLayout.LIQUIDATE_N;
                nLeaves += 1;
            } else if (kind == ITEM_HEALTH) {
                nEpoch += 1;
                eWords += ZkatsLayout.HEALTH_N;
            } else if (kind == ITEM_EXIT) {
                nEpoch += 1;
                eWords += ZkatsLayout.EXIT_N;
                nLeaves += 1;
            } else if (kind != ITEM_FUND_WITHDRAW) {
                revert("zkats: unknown item kind");
            }
        }
        return _newAcc(nProofs, words, nEpoch, eWords, nLeaves);
    }

    /// The proofs, public-input words and leaves of the next ``count``
    /// queued positions (a rejected deposit: none; a deposit: its proof,
    /// its signals and its note; an exit's change note: the note).
    function _queueSizes(uint256 count)
        internal view returns (uint256 nProofs, uint256 words, uint256 nLeaves)
    {
        for (uint256 q = queueHead; q < queueHead + count; q++) {
            if (depositRejected[q]) continue;
            nLeaves += 1;
            if (depositHash[q] != 0) {
                nProofs += 1;
                words += ZkatsLayout.DEPOSIT_N;
            }
        }
    }

    /// Collects the next ``count`` queued positions into ``z``: each
    /// deposit's proof (the next of ``pr``) and public signals (the next
    /// DEPOSIT_N words of ``x``) must be the ones its ``deposit`` call
    /// stored the hash of, and join the call's multi-pairing; rejected
    /// deposits are skipped.  Returns the words of ``x`` used.
    function _queuedLeaves(Acc memory z, uint256 count, Proofs calldata pr, uint256[] calldata x)
        internal view returns (uint256 off)
    {
        for (uint256 q = queueHead; q < queueHead + count; q++) {
            if (depositRejected[q]) continue;
            z.leaves[z.nLeaves++] = queued[q];
            bytes32 h = depositHash[q];
            if (h == 0) continue;
            require(_proofHash(pr, z.p, x, off, ZkatsLayout.DEPOSIT_N) == h,
                    "zkats: not the queued deposit's proof");
            _main(z, x, off, KEY_DEPOSIT, ZkatsLayout.DEPOSIT_N);
            off += ZkatsLayout.DEPOSIT_N;
        }
    }

    /// keccak256 of proof ``i``'s 8 words (deposit's ``uint256[8]`` order)
    /// and the ``n`` public signals at ``x[o..]``: what ``deposit`` stored.
    function _proofHash(Proofs calldata pr, uint256 i, uint256[] calldata x, uint256 o, uint256 n)
        internal pure returns (bytes32 h)
    {
        require(i < pr.a.length && i < pr.b.length && i < pr.c.length,
                "zkats: wrong number of proofs");
        uint256[] memory buf = new uint256[](8 + n);
        buf[0] = pr.a[i][0];
        buf[1] = pr.a[i][1];
        buf[2] = pr.b[i][0][0];
        buf[3] = pr.b[i][0][1];
        buf[4] = pr.b[i][1][0];
        buf[5] = pr.b[i][1][1];
        buf[6] = pr.c[i][0];
        buf[7] = pr.c[i][1];
        _copy(buf, 8, x, o, n);
        assembly {
            h := keccak256(add(buf, 0x20), mul(mload(buf), 0x20))
        }
    }

    /// An item's proof for the main verifier: key ``key``, ``n`` public inputs at ``x[o..]``.
    function _main(Acc memory z, uint256[] calldata x, uint256 o, uint256 key, uint256 n)
        internal pure
    {
        z.keys[z.p++] = key;
        _copy(z.all, z.off, x, o, n);
        z.off += n;
    }

    /// An item's proof for the epoch verifier.
    function _epochItem(Acc memory z, uint256[] calldata x, uint256 o, uint256 key, uint256 n)
        internal pure
    {
        z.ekeys[z.ep++] = key;
        _copy(z.ein, z.eoff, x, o, n);
        z.eoff += n;
    }

    /// dst[d .. d + n) = src[s .. s + n)
    function _copy(uint256[] memory dst, uint256 d, uint256[] calldata src, uint256 s, uint256 n)
        internal pure
    {
        require(d + n <= dst.length && s + n <= src.length,
                "zkats: public inputs do not fit the items");
        assembly {
            calldatacopy(add(add(dst, 0x20), mul(d, 0x20)), add(src.offset, mul(s, 0x20)),
                         mul(n, 0x20))
        }
    }

    /// Appends ``z.leaves`` at ``nextIndex`` by ceil(n / insertK) insert
    /// proofs (chunks in order, the last padded with empty leaves), the
    /// first from the current root, each from the previous new root;
    /// checks them with the items' proofs: ``pr`` holds the main
    /// verifier's proofs (items, then inserts), then the epoch verifier's.
    function _appendVerified(Acc memory z, Proofs calldata pr, uint256[] calldata newRoots)
        internal
    {
        uint256 k = insertK;
        uint256 nIns = (z.nLeaves + k - 1) / k;
        require(newRoots.length == nIns, "zkats: one new root per insert proof");
        uint256 r = root;
        for (uint256 j = 0; j < nIns; j++) {
            z.keys[z.p++] = KEY_INSERT;
            uint256 nr = newRoots[j];
            require(nr < R, "zkats: public input >= r");
            uint256 o = z.off + j * (ZkatsLayout.INSERT_BASE + k);
            z.all[o + ZkatsLayout.INSERT_OLD_ROOT] = r;
            z.all[o + ZkatsLayout.INSERT_NEW_ROOT] = nr;
            z.all[o + ZkatsLayout.INSERT_START] = nextIndex + j * k;
            for (uint256 i = 0; i < k && j * k + i < z.nLeaves; i++) {
                z.all[o + ZkatsLayout.INSERT_LEAVES + i] = z.leaves[j * k + i];
            }
            r = nr;
        }
        uint256 m = z.keys.length;
        uint256 e = z.ekeys.length;
        require(pr.a.length == m + e && pr.b.length == m + e && pr.c.length == m + e,
                "zkats: wrong number of proofs");
        if (m > 0) require(_verify(verifier, z.keys, pr, 0, z.all), "zkats: invalid proof in batch");
        if (e > 0) {
            require(_verify(epochVerifier, z.ekeys, pr, m, z.ein), "zkats: invalid proof in batch");
        }
        nextIndex += z.nLeaves;
        _acceptRoot(r);
    }

    /// ``v`` checks proofs ``from .. from + keys.length`` of ``pr`` in one multi-pairing.
    function _verify(IBatchVerifier v, uint256[] memory keys, Proofs calldata pr, uint256 from,
                     uint256[] memory input) internal view returns (bool)
    {
        uint256 n = keys.length;
        uint256[] memory flat = new uint256[](8 * n);
        uint256[2][] calldata a = pr.a;
        uint256[2][2][] calldata b = pr.b;
        uint256[2][] calldata c = pr.c;
        assembly {
            // proof i: a[from + i] (2 words), b[from + i] (4), c[from + i] (2)
            let dst := add(flat, 0x20)
            let qa := add(a.offset, mul(from, 0x40))
            let qb := add(b.offset, mul(from, 0x80))
            let qc := add(c.offset, mul(from, 0x40))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                calldatacopy(dst, add(qa, mul(i, 0x40)), 0x40)
                calldatacopy(add(dst, 0x40), add(qb, mul(i, 0x80)), 0x80)
                calldatacopy(add(dst, 0xc0), add(qc, mul(i, 0x40)), 0x40)
                dst := add(dst, 0x100)
            }
        }
        return _verifyFlat(v, keys, flat, input);
    }

    /// ``v.verifyBatchFlat(keys, flat, input)``, its calldata written here
    /// (each array one copy by the identity precompile, where the ABI
    /// encoder loops over every word); false if the call fails or answers
    /// anything but true.
    function _verifyFlat(IBatchVerifier v, uint256[] memory keys, uint256[] memory flat,
                         uint256[] memory input) internal view returns (bool ok) {
        bytes4 sel = IBatchVerifier.verifyBatchFlat.selector;
        assembly {
            let nk := mload(keys)
            let nf := mload(flat)
            let buf := mload(0x40)
            mstore(buf, sel)
            let h := add(buf, 4)
            // the three offsets, then each array as its length and words
            mstore(h, 0x60)
            mstore(add(h, 0x20), add(0x80, mul(nk, 0x20)))
            mstore(add(h, 0x40), add(0xa0, mul(add(nk, nf), 0x20)))
            let d := add(h, 0x60)
            let sz := mul(add(nk, 1), 0x20)
            ok := staticcall(gas(), 0x04, keys, sz, d, sz)
            d := add(d, sz)
            sz := mul(add(nf, 1), 0x20)
            ok := and(ok, staticcall(gas(), 0x04, flat, sz, d, sz))
            d := add(d, sz)
            sz := mul(add(mload(input), 1), 0x20)
            ok := and(ok, staticcall(gas(), 0x04, input, sz, d, sz))
            d := add(d, sz)
            ok := and(ok, staticcall(gas(), v, buf, sub(d, buf), 0, 0x20))
            ok := and(ok, and(eq(returndatasize(), 0x20), eq(mload(0), 1)))
        }
    }

    function _acceptRoot(uint256 r) internal {
        root = r;
        rootKnown[r] = true;
        rootCount += 1;
        emit RootAccepted(r, nextIndex);
    }
}
