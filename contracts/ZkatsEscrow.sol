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
}

contract ZkatsEscrow {
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 public constant MATCH_MAX_AGE = 3600;
    uint256 public constant CLOCK_SKEW = 60;

    /// key ids of the batch verifier
    uint256 public constant KEY_DEPOSIT = 0;
    uint256 public constant KEY_WITHDRAW = 1;
    uint256 public constant KEY_MATCH = 2;
    uint256 public constant KEY_TRANSITION = 3;
    uint256 public constant KEY_INSERT = 4;
    uint256 public constant KEY_CANCEL = 5;
    /// the oracle_epoch key: key 0 of its own verifier (epochVerifier)
    uint256 public constant KEY_ORACLE_EPOCH = 0;

    /// settlement item kinds
    uint256 public constant ITEM_TRADE = 1;
    uint256 public constant ITEM_WITHDRAW = 2;
    uint256 public constant ITEM_CANCEL = 3;
    uint256 public constant ITEM_FUND_WITHDRAW = 4;
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

    /// A settlement batch, in the ledger's item order.  ``proofs`` holds the
    /// items' proofs in order (a trade: match, leg_a, leg_b; a withdrawal:
    /// withdraw; a cancel: cancel; a fund withdrawal: none), then the
    /// insert proofs; ``input`` the items' public signals in the same order
    /// (a fund withdrawal: its four words; the insert proofs' signals are
    /// made by the contract); ``deposits`` queued on-chain deposits are
    /// appended first; ``newRoots`` is each insert proof's new root.
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
    /// the smallest deposit (no dust deposit grows the tree)
    uint256 public immutable minDeposit;
    /// the oracle's Baby Jubjub public key: epochs are accepted only with
    /// a proof of its signature (the oracle_epoch circuit)
    uint256 public immutable oracleX;
    uint256 public immutable oracleY;

    /// the public funds: the fee account (credited by settled trades) and
    /// the insurance fund; the operator withdraws from them only by a
    /// fund-withdrawal item of a batch, numbered, logged (FundWithdrawn)
    uint256 public feeBalance;
    uint256 public insuranceBalance;
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

    uint256 public epochId;
    uint256 public epochHash;
    uint256 public epochDeadline;

    ExitRequest[] public exits;
    /// nullifier => 1 + exit request id (0: none)
    mapping(uint256 => uint256) public exitOf;

    event DepositQueued(uint256 indexed position, uint256 indexed nullifier, uint256 amount,
                        uint256[8] proof, uint256[] pub);
    event Settled(uint256 items, uint256 deposits, uint256 leaves, uint256 root);
    event DepositsIncluded(uint256 deposits, uint256 root);
    event Withdrawn(uint256 indexed nullifier, address recipient, uint256 amount);
    event RootAccepted(uint256 indexed root, uint256 leaves);
    event EpochPublished(uint256 indexed id, uint256 hash, uint256 deadline);
    event OrderCancelled(uint256 x, uint256 y);
    event FundWithdrawn(uint256 indexed seq, uint256 fund, address recipient, uint256 amount,
                        uint256 balance);
    event ExitRequested(uint256 indexed id, uint256 indexed nullifier, uint256[8] proof,
                        uint256[] pub);
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
        emit EpochPublished(id, hash, deadline);
    }

    /// A settlement batch, all or nothing: the queued deposits it names,
    /// then its items in order, their new notes appended in that order by
    /// the insert proofs; every proof checked in one multi-pairing.
    function settle(Batch calldata bt) external onlyOperator {
        uint256 nItems = bt.kinds.length;
        require(nItems > 0 || bt.deposits > 0, "zkats: empty batch");
        require(bt.deposits <= queued.length - queueHead, "zkats: fewer deposits queued");
        uint256[] memory leaves = new uint256[](bt.deposits + 2 * nItems);
        uint256 nLeaves;
        for (uint256 i = 0; i < bt.deposits; i++) {
            leaves[nLeaves++] = queued[queueHead + i];
        }
        uint256 nProofs;
        for (uint256 i = 0; i < nItems; i++) {
            uint256 kind = bt.kinds[i];
            nProofs += kind == ITEM_TRADE ? 3 : (kind == ITEM_FUND_WITHDRAW ? 0 : 1);
        }
        uint256[] memory keys = new uint256[](nProofs);
        uint256 off;
        uint256 p;
        address[] memory payTo = new address[](nItems);
        uint256[] memory payAmount = new uint256[](nItems);
        for (uint256 i = 0; i < nItems; i++) {
            uint256 kind = bt.kinds[i];
            if (kind == ITEM_TRADE) {
                _trade(bt.input, off);
                keys[p++] = KEY_MATCH;
                keys[p++] = KEY_TRANSITION;
                keys[p++] = KEY_TRANSITION;
                uint256 ta = off + ZkatsLayout.MATCH_N;
                uint256 tb = ta + ZkatsLayout.TRANSITION_N;
                leaves[nLeaves++] = bt.input[ta + ZkatsLayout.TRANSITION_COMMITMENT];
                leaves[nLeaves++] = bt.input[tb + ZkatsLayout.TRANSITION_COMMITMENT];
                off = tb + ZkatsLayout.TRANSITION_N;
            } else if (kind == ITEM_WITHDRAW) {
                (payTo[i], payAmount[i]) = _withdraw(bt.input, off);
                keys[p++] = KEY_WITHDRAW;
                leaves[nLeaves++] = bt.input[off + ZkatsLayout.WITHDRAW_COMMITMENT];
                off += ZkatsLayout.WITHDRAW_N;
            } else if (kind == ITEM_CANCEL) {
                _cancel(bt.input, off);
                keys[p++] = KEY_CANCEL;
                off += ZkatsLayout.CANCEL_N;
            } else if (kind == ITEM_FUND_WITHDRAW) {
                (payTo[i], payAmount[i]) = _fundWithdraw(bt.input, off);
                off += FUND_WITHDRAW_N;
            } else {
                revert("zkats: unknown item kind");
            }
        }
        require(off == bt.input.length, "zkats: public inputs do not fit the items");
        require(p == nProofs, "zkats: wrong number of proofs");
        require(
            nextIndex + nLeaves + exitReserve <= (uint256(1) << depth), "zkats: note tree full"
        );
        queueHead += bt.deposits;
        _appendVerified(keys, bt.proofs, bt.input, leaves, nLeaves, bt.newRoots);
        for (uint256 i = 0; i < nItems; i++) {
            if (payAmount[i] != 0) _pay(payTo[i], payAmount[i]);
        }
        emit Settled(nItems, bt.deposits, nLeaves, root);
    }

    // ------------------------------------------------------------ traders

    /// Deposit: the caller pays ``amount`` (at least ``minDeposit``) of the
    /// token; the deposit proof spends the account's note (or its genesis
    /// nullifier) and makes the note with ``collateral + amount``, which
    /// waits in the queue until a batch (or, after ``forceTimeout``,
    /// anyone: :func:`includeDeposits`) appends it.  The event carries the
    /// proof and its public signals: the settlement service applies the
    /// same deposit at the same place in its tree.
    function deposit(uint256[8] calldata proof, uint256[] calldata pub) external {
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
        require(_verifyOne(verifier, KEY_DEPOSIT, proof, pub), "zkats: invalid deposit proof");
        require(token.transferFrom(msg.sender, address(this), amount),
                "zkats: token transfer failed");
        emit DepositQueued(queued.length, nullifier, amount, proof, pub);
        queued.push(leaf);
        queuedAt.push(uint64(block.timestamp));
    }

    /// Appends the first ``count`` queued leaves with insert proofs: anyone,
    /// once the oldest of them has waited ``forceTimeout`` (an operator
    /// that stops settling cannot keep a deposit or a change note out of
    /// the tree), or at once when they reach into the exit reserve (where
    /// batches cannot append them).
    function includeDeposits(uint256 count, Proofs calldata proofs, uint256[] calldata newRoots)
        external
    {
        require(count > 0 && count <= queued.length - queueHead, "zkats: fewer deposits queued");
        uint256 cap = uint256(1) << depth;
        require(block.timestamp >= queuedAt[queueHead] + forceTimeout
                || nextIndex + count + exitReserve > cap, "zkats: deposit timeout not reached");
        uint256[] memory leaves = new uint256[](count);
        for (uint256 i = 0; i < count; i++) leaves[i] = queued[queueHead + i];
        require(nextIndex + count <= cap, "zkats: note tree full");
        queueHead += count;
        _appendVerified(new uint256[](0), proofs, new uint256[](0), leaves, count, newRoots);
        emit DepositsIncluded(count, root);
    }

    /// Exit, step 1 (the trader alone): a withdraw proof signed by the
    /// note's owner, against a root the contract knows, at the latest
    /// epoch.  Verified now; nothing moves yet.  The operator serves it by
    /// settling that withdrawal (or any spend the owner signed) within
    /// ``forceTimeout``; otherwise step 2.
    function requestExit(uint256[8] calldata proof, uint256[] calldata pub) external {
        require(pub.length == ZkatsLayout.WITHDRAW_N, "zkats: wrong number of public inputs");
        (address to, uint256 amount) = _withdrawChecks(pub);
        uint256 nullifier = pub[ZkatsLayout.WITHDRAW_NULLIFIER];
        require(exitOf[nullifier] == 0, "zkats: exit already requested");
        require(_verifyOne(verifier, KEY_WITHDRAW, proof, pub), "zkats: invalid withdraw proof");
        exits.push(ExitRequest(nullifier, pub[ZkatsLayout.WITHDRAW_COMMITMENT], amount, to,
                               uint64(block.timestamp), false));
        exitOf[nullifier] = exits.length;
        emit ExitRequested(exits.length - 1, nullifier, proof, pub);
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
        feeBalance += x[a + ZkatsLayout.TRANSITION_FEE] + x[b + ZkatsLayout.TRANSITION_FEE];
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
        uint256 left;
        if (fund == FUND_FEE) {
            require(amount <= feeBalance, "zkats: amount exceeds the fund's balance");
            left = feeBalance = feeBalance - amount;
        } else if (fund == FUND_INSURANCE) {
            require(amount <= insuranceBalance, "zkats: amount exceeds the fund's balance");
            left = insuranceBalance = insuranceBalance - amount;
        } else {
            revert("zkats: unknown fund");
        }
        fundWithdrawals += 1;
        emit FundWithdrawn(fundWithdrawals, fund, address(uint160(to)), amount, left);
        return (address(uint160(to)), amount);
    }

    function _withdraw(uint256[] calldata x, uint256 w) internal returns (address, uint256) {
        require(x.length >= w + ZkatsLayout.WITHDRAW_N, "zkats: public inputs do not fit the items");
        (address to, uint256 amount) = _withdrawChecks(x[w:w + ZkatsLayout.WITHDRAW_N]);
        _spend(x[w + ZkatsLayout.WITHDRAW_NULLIFIER]);
        _newCommitment(x[w + ZkatsLayout.WITHDRAW_COMMITMENT]);
        return (to, amount);
    }

    function _withdrawChecks(uint256[] calldata p) internal view returns (address, uint256) {
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

    function _checkInputs(uint256[] calldata p, uint256 from, uint256 to) internal pure {
        for (uint256 i = from; i < to; i++) {
            require(p[i] < R, "zkats: public input >= r");
        }
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
        uint256[2][] memory a = new uint256[2][](1);
        uint256[2][2][] memory b = new uint256[2][2][](1);
        uint256[2][] memory c = new uint256[2][](1);
        a[0] = [pr[0], pr[1]];
        b[0] = [[pr[2], pr[3]], [pr[4], pr[5]]];
        c[0] = [pr[6], pr[7]];
        return v.verifyBatch(keys, a, b, c, pub);
    }

    /// Appends ``leaves[0..n)`` at ``nextIndex`` by ceil(n / insertK)
    /// insert proofs (chunks in order, the last padded with empty leaves),
    /// the first from the current root, each from the previous new root;
    /// checks them with the ``keys`` proofs of ``input`` in one batch.
    function _appendVerified(uint256[] memory keys, Proofs calldata pr, uint256[] memory input,
                             uint256[] memory leaves, uint256 n, uint256[] calldata newRoots)
        internal
    {
        (uint256[] memory allKeys, uint256[] memory all, uint256 r) =
            _batchInputs(keys, input, leaves, n, newRoots);
        uint256 total = allKeys.length;
        require(pr.a.length == total && pr.b.length == total && pr.c.length == total,
                "zkats: wrong number of proofs");
        if (total > 0) require(_verifyAll(allKeys, pr, all), "zkats: invalid proof in batch");
        nextIndex += n;
        _acceptRoot(r);
    }

    function _verifyAll(uint256[] memory keys, Proofs calldata pr, uint256[] memory all)
        internal view returns (bool)
    {
        return verifier.verifyBatch(keys, pr.a, pr.b, pr.c, all);
    }

    /// The key ids and public inputs of the whole batch: the items' (given),
    /// then one insert proof per ``insertK`` leaves; and the last new root.
    function _batchInputs(uint256[] memory keys, uint256[] memory input, uint256[] memory leaves,
                          uint256 n, uint256[] calldata newRoots)
        internal view returns (uint256[] memory allKeys, uint256[] memory all, uint256 r)
    {
        uint256 nIns = (n + insertK - 1) / insertK;
        require(newRoots.length == nIns, "zkats: one new root per insert proof");
        allKeys = new uint256[](keys.length + nIns);
        for (uint256 i = 0; i < keys.length; i++) allKeys[i] = keys[i];
        all = new uint256[](input.length + nIns * (ZkatsLayout.INSERT_BASE + insertK));
        for (uint256 i = 0; i < input.length; i++) all[i] = input[i];
        r = root;
        for (uint256 j = 0; j < nIns; j++) {
            allKeys[keys.length + j] = KEY_INSERT;
            r = _insertInput(all, input.length, j, r, newRoots[j], leaves, n);
        }
    }

    /// Writes insert proof ``j``'s public signals (old root ``r``, new root
    /// ``nr``, its start, its chunk of ``leaves``, zero-padded) into ``all``
    /// after ``base``; returns ``nr``.
    function _insertInput(uint256[] memory all, uint256 base, uint256 j, uint256 r, uint256 nr,
                          uint256[] memory leaves, uint256 n) internal view returns (uint256)
    {
        require(nr < R, "zkats: public input >= r");
        uint256 k = insertK;
        uint256 o = base + j * (ZkatsLayout.INSERT_BASE + k);
        all[o + ZkatsLayout.INSERT_OLD_ROOT] = r;
        all[o + ZkatsLayout.INSERT_NEW_ROOT] = nr;
        all[o + ZkatsLayout.INSERT_START] = nextIndex + j * k;
        for (uint256 i = 0; i < k && j * k + i < n; i++) {
            all[o + ZkatsLayout.INSERT_LEAVES + i] = leaves[j * k + i];
        }
        return nr;
    }

    function _acceptRoot(uint256 r) internal {
        root = r;
        rootKnown[r] = true;
        rootCount += 1;
        emit RootAccepted(r, nextIndex);
    }
}
