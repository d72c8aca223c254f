// SPDX-License-Identifier: Apache-2.0
// zkats escrow: collateral in an ERC-20, the nullifier set, the Poseidon
// note tree and its root history; deposits, settlement batches and
// withdrawals, each accepted only with Groth16 proofs of the venue's
// circuits (deposit, withdraw, match, transition).  Design: docs/escrow.md.
pragma solidity ^0.8.20;

interface IERC20Min {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// circomlibjs' generated Poseidon contract (2 inputs).
interface IPoseidon2 {
    function poseidon(uint256[2] calldata input) external pure returns (uint256);
}

contract ZkatsEscrow {
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 public constant DEPTH = 16;
    /// Gas given to each verifier call: the snarkjs-style verifier returns
    /// false (it does not revert) when the pairing precompile runs short,
    /// so every call gets an explicit, sufficient budget (about 2x a
    /// verification with 18 public inputs).
    uint256 public constant VERIFY_GAS = 700_000;
    uint256 public constant MATCH_MAX_AGE = 3600;
    uint256 public constant CLOCK_SKEW = 60;

    // verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N]) for N = 18, 20, 22
    bytes4 internal constant SEL20 =
        bytes4(keccak256("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[20])"));
    bytes4 internal constant SEL22 =
        bytes4(keccak256("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[22])"));
    bytes4 internal constant SEL18 =
        bytes4(keccak256("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[18])"));

    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// deposit public signals: root, nullifier, commitment, account, asset, amount,
    /// then the new note's 12-element ciphertext (checked inside the proof)
    struct Deposit {
        Proof proof;
        uint256[18] pub;
    }

    /// withdraw public signals: root, nullifier, commitment, asset, amount,
    /// recipient, epoch_id, epoch_hash, the new note's ciphertext (12) (the
    /// owner's signature over all of them is checked inside the proof)
    struct Withdrawal {
        Proof proof;
        uint256[20] pub;
    }

    /// match (18 signals: instrument, now, reveal_price, price, order_a x/y,
    /// order_b x/y, rem_a x/y, rem_b x/y, leg_a x/y, leg_b x/y, tag_a, tag_b)
    /// and its two transitions (root, nullifier, commitment, instrument,
    /// leg x, leg y, tag, epoch_id, epoch_hash, fee, the new note's ciphertext (12))
    struct Trade {
        Proof matchProof;
        uint256[18] matchPub;
        Proof proofA;
        uint256[22] pubA;
        Proof proofB;
        uint256[22] pubB;
    }

    IERC20Min public immutable token;
    /// trading fees credited by settled trades (the fee account, public)
    uint256 public feeBalance;
    IPoseidon2 public immutable hasher;
    address public immutable depositVerifier;
    address public immutable withdrawVerifier;
    address public immutable matchVerifier;
    address public immutable transitionVerifier;
    address public immutable operator;
    uint256 public immutable asset;
    uint256 public immutable forceTimeout;

    mapping(uint256 => bool) public nullifierSpent;
    mapping(uint256 => bool) public commitmentKnown;
    mapping(bytes32 => bool) public orderConsumed;
    mapping(uint256 => bool) public rootKnown;
    uint256[] public rootHistory;
    uint256 public nextIndex;
    uint256[DEPTH] internal filled;
    uint256[DEPTH + 1] public zeros;

    uint256 public epochId;
    uint256 public epochHash;
    bool public frozen;
    /// nullifier => time a forced exit was requested (0: none)
    mapping(uint256 => uint256) public exitRequested;

    event Deposited(uint256 indexed nullifier, uint256 commitment, uint256 leafIndex, uint256 amount);
    event Withdrawn(uint256 indexed nullifier, uint256 commitment, uint256 leafIndex,
                    address recipient, uint256 amount, bool forced);
    event Settled(uint256 trades, uint256 withdrawals, uint256 root);
    event RootAccepted(uint256 indexed root, uint256 leaves);
    event EpochPublished(uint256 indexed id, uint256 hash);
    event ExitRequested(uint256 indexed nullifier, uint256 at);
    event Frozen(uint256 at);

    constructor(address token_, address hasher_, address[4] memory verifiers, uint256 asset_,
                uint256 forceTimeout_) {
        token = IERC20Min(token_);
        hasher = IPoseidon2(hasher_);
        depositVerifier = verifiers[0];
        withdrawVerifier = verifiers[1];
        matchVerifier = verifiers[2];
        transitionVerifier = verifiers[3];
        operator = msg.sender;
        asset = asset_;
        forceTimeout = forceTimeout_;
        uint256 z = 0; // the empty leaf (zkats.venue.merkle_store.ZERO_LEAF)
        for (uint256 l = 0; l < DEPTH; l++) {
            zeros[l] = z;
            filled[l] = z;
            z = hasher.poseidon([z, z]);
        }
        zeros[DEPTH] = z;
        _acceptRoot(z);
    }

    modifier onlyOperator() {
        require(msg.sender == operator, "zkats: not the operator");
        _;
    }

    modifier live() {
        require(!frozen, "zkats: escrow frozen");
        _;
    }

    // ------------------------------------------------------------ views

    function lastRoot() external view returns (uint256) {
        return rootHistory[rootHistory.length - 1];
    }

    function rootCount() external view returns (uint256) {
        return rootHistory.length;
    }

    // ------------------------------------------------------------ operator

    /// The oracle epoch (id, Poseidon hash of its data) trades and
    /// withdrawals must use.  Ids only increase.
    function publishEpoch(uint256 id, uint256 hash) external onlyOperator live {
        require(id > epochId, "zkats: epoch id must increase");
        require(hash < R, "zkats: public input >= r");
        epochId = id;
        epochHash = hash;
        emit EpochPublished(id, hash);
    }

    /// A settlement batch: trades then withdrawals, all or nothing (any
    /// failed check reverts the whole call).
    function settle(Trade[] calldata trades, Withdrawal[] calldata withdrawals)
        external onlyOperator live
    {
        for (uint256 i = 0; i < trades.length; i++) {
            _trade(trades[i]);
        }
        for (uint256 i = 0; i < withdrawals.length; i++) {
            _withdraw(withdrawals[i], false);
        }
        emit Settled(trades.length, withdrawals.length, rootHistory[rootHistory.length - 1]);
    }

    // ------------------------------------------------------------ traders

    /// Deposit: the caller pays ``amount`` of the token; the proof spends the
    /// account's note (or its genesis nullifier) and appends the note with
    /// ``collateral + amount``.
    function deposit(Deposit calldata d) external live {
        uint256[] memory p = _pub18(d.pub);
        _checkInputs(p);
        require(rootKnown[p[0]], "zkats: unknown root");
        require(p[4] == asset, "zkats: wrong asset");
        _spend(p[1]);
        require(_verify(depositVerifier, SEL18, d.proof, p), "zkats: invalid deposit proof");
        (uint256 index, uint256 root) = _insert(p[2]);
        _acceptRoot(root);
        require(token.transferFrom(msg.sender, address(this), p[5]), "zkats: token transfer failed");
        emit Deposited(p[1], p[2], index, p[5]);
    }

    /// Start the forced-exit clock for a note (its nullifier).  If the
    /// operator has not spent that nullifier ``forceTimeout`` seconds later,
    /// anyone may call :func:`forcedWithdraw`, which freezes the escrow.
    function requestExit(uint256 nullifier) external live {
        require(nullifier < R, "zkats: public input >= r");
        require(!nullifierSpent[nullifier], "zkats: nullifier already spent");
        require(exitRequested[nullifier] == 0, "zkats: exit already requested");
        exitRequested[nullifier] = block.timestamp;
        emit ExitRequested(nullifier, block.timestamp);
    }

    /// Escape hatch: a withdrawal proof against any accepted root (the last
    /// one included) and the last published epoch, accepted without the
    /// operator once an exit request for this nullifier is older than
    /// ``forceTimeout`` (or the escrow is already frozen).  The first one
    /// freezes the escrow: no more settlement, deposits or epochs.
    function forcedWithdraw(Withdrawal calldata w) external {
        if (!frozen) {
            uint256 t = exitRequested[w.pub[1]];
            require(t != 0, "zkats: no exit request for this nullifier");
            require(block.timestamp >= t + forceTimeout, "zkats: exit timeout not reached");
            frozen = true;
            emit Frozen(block.timestamp);
        }
        _withdraw(w, true);
    }

    // ------------------------------------------------------------ internals

    function _trade(Trade calldata t) internal {
        uint256[] memory m = new uint256[](18);
        for (uint256 i = 0; i < 18; i++) m[i] = t.matchPub[i];
        uint256[] memory a = _pub22(t.pubA);
        uint256[] memory b = _pub22(t.pubB);
        _checkInputs(m);
        _checkInputs(a);
        _checkInputs(b);
        require(m[2] <= 1, "zkats: reveal_price must be 0 or 1");
        require(m[1] + MATCH_MAX_AGE >= block.timestamp && m[1] <= block.timestamp + CLOCK_SKEW,
                "zkats: match time not current");
        require(m[4] != m[6] || m[5] != m[7], "zkats: an order cannot match itself");
        // each transition applies its leg of this match, for this instrument
        require(a[4] == m[12] && a[5] == m[13] && a[6] == m[16] && a[3] == m[0],
                "zkats: leg_a transition does not apply the match");
        require(b[4] == m[14] && b[5] == m[15] && b[6] == m[17] && b[3] == m[0],
                "zkats: leg_b transition does not apply the match");
        _checkEpoch(a[7], a[8]);
        _checkEpoch(b[7], b[8]);
        require(rootKnown[a[0]] && rootKnown[b[0]], "zkats: unknown root");
        _consumeOrder(m[4], m[5]);
        _consumeOrder(m[6], m[7]);
        _spend(a[1]);
        _spend(b[1]);
        require(_verify(matchVerifier, SEL18, t.matchProof, m), "zkats: invalid match proof");
        require(_verify(transitionVerifier, SEL22, t.proofA, a), "zkats: invalid transition proof");
        require(_verify(transitionVerifier, SEL22, t.proofB, b), "zkats: invalid transition proof");
        feeBalance += a[9] + b[9];
        _acceptRoot(_insertPair(a[2], b[2]));
    }

    function _withdraw(Withdrawal calldata w, bool forced) internal {
        uint256[] memory p = new uint256[](20);
        for (uint256 i = 0; i < 20; i++) p[i] = w.pub[i];
        _checkInputs(p);
        require(rootKnown[p[0]], "zkats: unknown root");
        require(p[3] == asset, "zkats: wrong asset");
        require(p[5] >> 160 == 0, "zkats: recipient is not an address");
        _checkEpoch(p[6], p[7]);
        _spend(p[1]);
        require(_verify(withdrawVerifier, SEL20, w.proof, p), "zkats: invalid withdraw proof");
        (uint256 index, uint256 root) = _insert(p[2]);
        _acceptRoot(root);
        require(token.transfer(address(uint160(p[5])), p[4]), "zkats: token transfer failed");
        emit Withdrawn(p[1], p[2], index, address(uint160(p[5])), p[4], forced);
    }

    function _checkEpoch(uint256 id, uint256 hash) internal view {
        require(id == epochId && hash == epochHash && id != 0, "zkats: not the latest oracle epoch");
    }

    function _checkInputs(uint256[] memory p) internal pure {
        for (uint256 i = 0; i < p.length; i++) {
            require(p[i] < R, "zkats: public input >= r");
        }
    }

    function _spend(uint256 nullifier) internal {
        require(!nullifierSpent[nullifier], "zkats: nullifier already spent");
        nullifierSpent[nullifier] = true;
    }

    function _consumeOrder(uint256 x, uint256 y) internal {
        bytes32 k = keccak256(abi.encode(x, y));
        require(!orderConsumed[k], "zkats: order already matched");
        orderConsumed[k] = true;
    }

    /// Calls a snarkjs-interface verifier with VERIFY_GAS; false on any failure.
    function _verify(address v, bytes4 sel, Proof calldata pr, uint256[] memory pub)
        internal view returns (bool)
    {
        bytes memory data = abi.encodePacked(sel, pr.a, pr.b[0], pr.b[1], pr.c, pub);
        (bool ok, bytes memory ret) = v.staticcall{gas: VERIFY_GAS}(data);
        return ok && ret.length == 32 && abi.decode(ret, (bool));
    }

    /// Appends a leaf (Tornado-style incremental tree over the filled
    /// left siblings); returns its index and the new root.
    function _insert(uint256 leaf) internal returns (uint256 index, uint256 root) {
        require(!commitmentKnown[leaf], "zkats: note commitment already exists");
        commitmentKnown[leaf] = true;
        index = nextIndex;
        require(index < (1 << DEPTH), "zkats: note tree full");
        nextIndex = index + 1;
        root = _climb(leaf, index, 0);
    }

    /// Appends two leaves; at an even index they share their path above
    /// level 0 (16 hashes instead of 32: the intermediate root after the
    /// first leaf alone is never accepted anyway).
    function _insertPair(uint256 x, uint256 y) internal returns (uint256 root) {
        uint256 index = nextIndex;
        if (index & 1 == 1) {
            _insert(x);
            (, root) = _insert(y);
            return root;
        }
        require(!commitmentKnown[x] && !commitmentKnown[y] && x != y,
                "zkats: note commitment already exists");
        commitmentKnown[x] = true;
        commitmentKnown[y] = true;
        require(index + 1 < (1 << DEPTH), "zkats: note tree full");
        nextIndex = index + 2;
        filled[0] = x;
        root = _climb(hasher.poseidon([x, y]), index >> 1, 1);
    }

    /// Hashes ``node`` (at ``level``, position ``i`` in that level) up to
    /// the root, recording left nodes in ``filled``.
    function _climb(uint256 node, uint256 i, uint256 level) internal returns (uint256) {
        for (uint256 l = level; l < DEPTH; l++) {
            if (i & 1 == 0) {
                filled[l] = node;
                node = hasher.poseidon([node, zeros[l]]);
            } else {
                node = hasher.poseidon([filled[l], node]);
            }
            i >>= 1;
        }
        return node;
    }

    function _acceptRoot(uint256 root) internal {
        if (!rootKnown[root]) {
            rootKnown[root] = true;
        }
        rootHistory.push(root);
        emit RootAccepted(root, nextIndex);
    }

    function _pub18(uint256[18] calldata x) internal pure returns (uint256[] memory p) {
        p = new uint256[](18);
        for (uint256 i = 0; i < 18; i++) p[i] = x[i];
    }

    function _pub22(uint256[22] calldata x) internal pure returns (uint256[] memory p) {
        p = new uint256[](22);
        for (uint256 i = 0; i < 22; i++) p[i] = x[i];
    }
}
