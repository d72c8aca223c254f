"""NTT over Fr and the Fr vector operations (native/ntt.c, native/frvec.c)
against independent references: a naive DFT over galois' GF(r) at snarkjs'
root of unity, a plain-int recursive FFT for the larger sizes, and plain
Python ints for the elementwise operations."""

import random

import galois
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from zkats import bn254
from zkats.errors import InputError
from zkats.field import R

W28 = 19103219067921713944291392827692070036145651957329286315305642004821462161904

# galois.GF(r) alone spends ~100 s factoring r - 1; naming the primitive
# element (5, the generator snarkjs uses) skips that.
GF = galois.GF(R, primitive_element=5, verify=False)

rng = random.Random(20261124)


def rand_vec(n, edges=True):
    v = [rng.randrange(R) for _ in range(n)]
    if edges and n >= 4:
        v[0], v[1], v[-1] = 0, 1, R - 1
    return v


def root(k):
    return pow(W28, 1 << (28 - k), R)


def powers(s, n, start=1):
    out, cur = [], start % R
    for _ in range(n):
        out.append(cur)
        cur = cur * s % R
    return out


def naive_dft_galois(a, w):
    """A_i = sum_j a_j w^(ij) as a matrix-vector product over GF(r)."""
    n = len(a)
    idx = np.arange(n)
    vander = GF(w) ** np.outer(idx, idx)
    return [int(x) for x in vander @ GF(a)]


def fft_ref(a, w):
    """Plain-int recursive radix-2 FFT (same definition as the DFT)."""
    n = len(a)
    if n == 1:
        return list(a)
    w2 = w * w % R
    ev, od = fft_ref(a[0::2], w2), fft_ref(a[1::2], w2)
    out = [0] * n
    t = 1
    for i in range(n // 2):
        x = od[i] * t % R
        out[i] = (ev[i] + x) % R
        out[i + n // 2] = (ev[i] - x) % R
        t = t * w % R
    return out


# ---- the domain ----------------------------------------------------------------


def test_root_of_unity_is_snarkjs():
    assert pow(5, (R - 1) >> 28, R) == W28
    assert bn254.ROOT_OF_UNITY_28 == W28
    assert bn254.root_of_unity(28) == W28
    assert pow(W28, 1 << 27, R) == R - 1  # order exactly 2^28
    for k in range(29):
        w = bn254.root_of_unity(k)
        assert w == root(k)
        assert pow(w, 1 << k, R) == 1
        if k:
            assert pow(w, 1 << (k - 1), R) == R - 1
    # the native table agrees (w_k is the k-th entry: check through a size-2^k NTT
    # of the monomial X, whose evaluations are the powers of w_k)
    for k in (1, 5, 12):
        ev = bn254.ntt([0, 1] + [0] * ((1 << k) - 2))
        assert ev[1] == root(k)


def test_root_of_unity_rejects_bad_log():
    for bad in (-1, 29, "3", 2.0):
        with pytest.raises(InputError):
            bn254.root_of_unity(bad)


# ---- forward / inverse against references -------------------------------------


@pytest.mark.parametrize("k", range(7))
def test_ntt_matches_naive_dft_over_galois(k):
    n = 1 << k
    a = rand_vec(n)
    assert bn254.ntt(a) == naive_dft_galois(a, root(k))
    assert bn254.intt(bn254.ntt(a)) == a


@pytest.mark.parametrize("k", range(7, 13))
def test_ntt_matches_fft_reference(k):
    n = 1 << k
    a = rand_vec(n)
    ev = bn254.ntt(a)
    assert ev == fft_ref(a, root(k))
    assert bn254.intt(ev) == a
    # inverse on its own: intt(v) is the DFT at w^-1 divided by n
    v = rand_vec(n)
    inv_n = pow(n, -1, R)
    assert bn254.intt(v) == [x * inv_n % R for x in fft_ref(v, pow(root(k), -1, R))]


def test_ntt_edges():
    assert bn254.ntt([7]) == [7]
    assert bn254.intt([7]) == [7]
    assert bn254.ntt([0] * 16) == [0] * 16
    assert bn254.ntt([1] + [0] * 15) == [1] * 16  # constant polynomial
    assert bn254.intt([5] * 8) == [5] + [0] * 7
    assert bn254.ntt([R - 1] * 4) == [(4 * (R - 1)) % R, 0, 0, 0]
    # values are reduced mod r on the way in
    assert bn254.ntt([R + 3, -1]) == [2, 4]


def test_convolution_theorem():
    n = 64
    a, b = rand_vec(n), rand_vec(n)
    prod = bn254.intt([x * y % R for x, y in zip(bn254.ntt(a), bn254.ntt(b))])
    # cyclic convolution through galois' polynomial arithmetic mod X^n - 1
    pa = galois.Poly(GF(a[::-1]))
    pb = galois.Poly(GF(b[::-1]))
    modulus = galois.Poly.Degrees([n, 0], coeffs=[1, R - 1], field=GF)
    c = (pa * pb) % modulus
    coeffs = [int(x) for x in c.coeffs[::-1]]
    coeffs += [0] * (n - len(coeffs))
    assert prod == coeffs


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 6), st.data())
def test_ntt_random_hypothesis(k, data):
    n = 1 << k
    a = data.draw(st.lists(st.integers(0, R - 1), min_size=n, max_size=n))
    assert bn254.ntt(a) == fft_ref(a, root(k))
    assert bn254.intt(bn254.ntt(a)) == a


# ---- coset ---------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 2, 5, 7])
def test_coset_ntt_matches_naive(k):
    n = 1 << k
    a = rand_vec(n)
    s = rng.randrange(2, R)
    w = root(k)
    want = [sum(a[j] * pow(s * pow(w, i, R) % R, j, R) for j in range(n)) % R for i in range(n)]
    assert bn254.coset_ntt(a, s) == want
    assert bn254.coset_intt(want, s) == a


@pytest.mark.parametrize("k", [3, 10, 12, 14])
def test_coset_round_trips(k):
    n = 1 << k
    a = rand_vec(n)
    # snarkjs' prover shift: the 2n-th root of unity (evaluation on the odd points)
    s = root(k + 1)
    ev = bn254.coset_ntt(a, s)
    assert bn254.coset_intt(ev, s) == a
    assert ev == fft_ref([x * p % R for x, p in zip(a, powers(s, n))], root(k))
    for s in (1, R - 1, rng.randrange(2, R)):
        assert bn254.coset_intt(bn254.coset_ntt(a, s), s) == a
    assert bn254.coset_ntt(a, 1) == bn254.ntt(a)


def test_coset_shift_zero_rejected():
    with pytest.raises(InputError):
        bn254.coset_ntt([1, 2], 0)
    with pytest.raises(InputError):
        bn254.coset_ntt([1, 2], R)


# ---- the array API -------------------------------------------------------------


def test_array_api_and_threads():
    for k in (13, 14, 15):
        n = 1 << k
        a = bn254.fr_ints_to_mont_array(rand_vec(n))
        one = bn254.ntt_array(a, threads=1)
        for th in (2, 3, None):
            assert np.array_equal(bn254.ntt_array(a, threads=th), one)
        back = bn254.ntt_array(one, inverse=True, threads=2)
        assert np.array_equal(back, a)
        s = rng.randrange(2, R)
        c1 = bn254.coset_ntt_array(a, s, threads=1)
        c2 = bn254.coset_ntt_array(a, s, threads=2)
        assert np.array_equal(c1, c2)
        assert np.array_equal(bn254.coset_ntt_array(c2, s, inverse=True, threads=2), a)
    # in place, and the copy leaves the input alone
    a = bn254.fr_ints_to_mont_array(rand_vec(1 << 10))
    keep = a.copy()
    out = bn254.ntt_array(a)
    assert np.array_equal(a, keep)
    ret = bn254.ntt_array(a, inplace=True)
    assert ret.base is a or ret is a
    assert np.array_equal(a, out)
    # integer values agree with the plain API
    assert bn254.fr_mont_array_to_ints(out) == bn254.ntt(bn254.fr_mont_array_to_ints(keep))


def test_array_api_rejects_bad_input():
    with pytest.raises(InputError):
        bn254.ntt([1, 2, 3])
    with pytest.raises(InputError):
        bn254.ntt([])
    with pytest.raises(InputError):
        bn254.ntt_array(np.zeros((3, 4), dtype=np.uint64))
    with pytest.raises(InputError):
        bn254.ntt_array(np.zeros((4, 4), dtype=np.int64))
    with pytest.raises(InputError):
        bn254.ntt_array(np.zeros((4, 3), dtype=np.uint64))
    with pytest.raises(InputError):
        bn254.ntt_array(np.zeros((8, 4), dtype=np.uint64)[::2])
    bad = np.zeros((4, 4), dtype=np.uint64)
    bad[2] = np.frombuffer(R.to_bytes(32, "little"), dtype="<u8")
    with pytest.raises(InputError, match=r"\[2\]"):
        bn254.ntt_array(bad)
    ro = np.zeros((4, 4), dtype=np.uint64)
    ro.setflags(write=False)
    with pytest.raises(InputError):
        bn254.ntt_array(ro, inplace=True)
    with pytest.raises(InputError):
        bn254.ntt(["1", 2])


@pytest.mark.slow
def test_ntt_2_20():
    k = 20
    n = 1 << k
    vals = [rng.randrange(R) for _ in range(n)]
    a = bn254.fr_ints_to_mont_array(vals)
    ev1 = bn254.ntt_array(a, threads=1)
    ev2 = bn254.ntt_array(a, threads=2)
    assert np.array_equal(ev1, ev2)
    ev = bn254.fr_mont_array_to_ints(ev1)
    w = root(k)
    for i in (0, 1, 12345, n - 1):
        x = pow(w, i, R)
        acc = 0
        for c in reversed(vals):
            acc = (acc * x + c) % R
        assert ev[i] == acc
    assert np.array_equal(bn254.ntt_array(ev1, inverse=True), a)
    s = root(k + 1)
    assert np.array_equal(bn254.coset_ntt_array(bn254.coset_ntt_array(a, s), s, inverse=True), a)


# ---- Fr vector ops --------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 5, 1000, 33000])
def test_vector_ops_against_ints(n):
    a, b = rand_vec(n), rand_vec(n)
    if n >= 4:
        b[2] = R - 1
        b[3] = 0
    A, B = bn254.fr_ints_to_mont_array(a), bn254.fr_ints_to_mont_array(b)
    ints = bn254.fr_mont_array_to_ints
    for th in (1, 2):
        assert ints(bn254.fr_mul_array(A, B, threads=th)) == [x * y % R for x, y in zip(a, b)]
        assert ints(bn254.fr_add_array(A, B, threads=th)) == [(x + y) % R for x, y in zip(a, b)]
        assert ints(bn254.fr_sub_array(A, B, threads=th)) == [(x - y) % R for x, y in zip(a, b)]
        k = rng.randrange(R)
        assert ints(bn254.fr_scale_array(A, k, threads=th)) == [x * k % R for x in a]
        s, st0 = rng.randrange(R), rng.randrange(R)
        want = [x * p % R for x, p in zip(a, powers(s, n, st0))]
        assert ints(bn254.fr_mul_powers_array(A, s, start=st0, threads=th)) == want
        assert ints(bn254.fr_mul_powers_array(A, s, threads=th)) == [
            x * p % R for x, p in zip(a, powers(s, n))
        ]


def test_vector_ops_out_and_errors():
    a, b = rand_vec(64), rand_vec(64)
    A, B = bn254.fr_ints_to_mont_array(a), bn254.fr_ints_to_mont_array(b)
    out = bn254.fr_mul_array(A, B, out=A)
    assert out is A or out.base is A
    assert bn254.fr_mont_array_to_ints(A) == [x * y % R for x, y in zip(a, b)]
    with pytest.raises(InputError):
        bn254.fr_add_array(A, B[:10])
    with pytest.raises(InputError):
        bn254.fr_add_array(A, B, out=np.zeros((3, 4), dtype=np.uint64))
    big = np.full((2, 4), 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
    with pytest.raises(InputError):
        bn254.fr_scale_array(big, 3)


def test_mont_conversions_roundtrip():
    v = rand_vec(100) + [0, 1, R - 1]
    arr = bn254.fr_ints_to_mont_array(v)
    # Montgomery form: x * 2^256 mod r
    raw = [int.from_bytes(arr[i].tobytes(), "little") for i in range(len(v))]
    assert raw == [x * pow(2, 256, R) % R for x in v]
    assert bn254.fr_mont_array_to_ints(arr) == v
    canon = np.frombuffer(b"".join(x.to_bytes(32, "little") for x in v), dtype="<u8").reshape(-1, 4)
    assert np.array_equal(bn254.fr_to_mont_array(canon), arr)
    assert np.array_equal(bn254.fr_from_mont_array(arr), canon)


# ---- interop: snarkjs' field library ----------------------------------------------


@pytest.mark.peers
def test_domain_and_fft_match_ffjavascript():
    import json

    from conftest import ROOT, run_node

    vals = rand_vec(16)
    # decimal strings: JSON numbers would lose precision in JavaScript
    arg = json.dumps([str(v) for v in vals])
    out = json.loads(run_node(ROOT / "tests" / "js" / "ffjavascript_domain_pairing.mjs", arg))
    assert [int(w) % R for w in out["w"]] == [bn254.root_of_unity(k) for k in range(29)]
    assert [int(v) % R for v in out["fft"]] == bn254.ntt(vals)


def test_portable_path_identical():
    a = bn254.fr_ints_to_mont_array(rand_vec(1 << 9))
    fast = bn254.ntt_array(a)
    bn254.set_portable(True)
    try:
        slow = bn254.ntt_array(a)
        slow_c = bn254.coset_ntt_array(a, 7, inverse=True)
    finally:
        bn254.set_portable(False)
    assert np.array_equal(fast, slow)
    assert np.array_equal(bn254.coset_ntt_array(a, 7, inverse=True), slow_c)


@pytest.mark.parametrize("table_log", [1, 2, 3, 6])
def test_on_the_fly_twiddles(table_log):
    """Spans above the twiddle table (2^20 by default) use running powers;
    shrink the table to exercise that path at small sizes."""
    old = bn254.set_ntt_table_max_log(table_log)
    try:
        for k in range(1, 11):
            a = rand_vec(1 << k)
            ev = bn254.ntt(a)
            assert ev == fft_ref(a, root(k)), k
            assert bn254.intt(ev) == a
        a = bn254.fr_ints_to_mont_array(rand_vec(1 << 14))
        ev2 = bn254.ntt_array(a, threads=2)
        s = rng.randrange(2, R)
        c2 = bn254.coset_ntt_array(a, s, threads=2)
    finally:
        bn254.set_ntt_table_max_log(old)
    assert np.array_equal(ev2, bn254.ntt_array(a, threads=1))
    assert np.array_equal(c2, bn254.coset_ntt_array(a, s, threads=1))


@pytest.mark.slow
def test_ntt_2_21_beyond_the_table():
    k = 21
    n = 1 << k
    vals = [rng.randrange(R) for _ in range(n)]
    a = bn254.fr_ints_to_mont_array(vals)
    ev = bn254.ntt_array(a)
    evi = bn254.fr_mont_array_to_ints(ev[[0, 1, 777, n - 1]])
    w = root(k)
    for i, got in zip((0, 1, 777, n - 1), evi):
        x = pow(w, i, R)
        acc = 0
        for c in reversed(vals):
            acc = (acc * x + c) % R
        assert got == acc
    assert np.array_equal(bn254.ntt_array(ev, inverse=True), a)


# ---- the quotient's chain: interpolation, then evaluation on a coset ----------------


def to_coset_ref(ev, s):
    """Evaluations at s * w^i of the polynomial whose evaluations at w^i are ev:
    plain-int inverse FFT, then the coset FFT."""
    n = len(ev)
    w = root(n.bit_length() - 1)
    inv_n = pow(n, -1, R)
    coeffs = [x * inv_n % R for x in fft_ref(ev, pow(w, -1, R))]
    return fft_ref([c * p % R for c, p in zip(coeffs, powers(s, n))], w)


@pytest.mark.parametrize("k", range(13))
def test_to_coset_matches_reference(k):
    n = 1 << k
    ev = rand_vec(n)
    a = bn254.fr_ints_to_mont_array(ev)
    shifts = [root(k + 1), rng.randrange(2, R), root(k + 1)]  # cached, temporary, cached
    for s in shifts:
        want = to_coset_ref(ev, s)
        for th in (1, 2, 3):
            assert bn254.fr_mont_array_to_ints(bn254.to_coset_array(a, s, threads=th)) == want, (
                k,
                th,
            )


@pytest.mark.parametrize("k", [1, 2, 3, 9, 10, 11, 13, 14, 15, 16])
def test_to_coset_fused_equals_split(k):
    """The fused chain (DIF inverse, bit-reversed scaling, DIT forward) against
    the two separate transforms, threaded and not, on both field paths."""
    a = bn254.fr_ints_to_mont_array(rand_vec(1 << k))
    s = root(k + 1)
    old = bn254.set_fused_ntt_chain(False)
    try:
        split = bn254.to_coset_array(a, s, threads=1)
    finally:
        bn254.set_fused_ntt_chain(old)
    assert np.array_equal(split, bn254.coset_ntt_array(bn254.ntt_array(a, inverse=True), s))
    for th in (1, 2, 3, None):
        assert np.array_equal(bn254.to_coset_array(a, s, threads=th), split), th
    bn254.set_portable(True)
    try:
        slow = bn254.to_coset_array(a, s, threads=3)
    finally:
        bn254.set_portable(False)
    assert np.array_equal(slow, split)
    # in place, and the input left alone otherwise
    keep = a.copy()
    out = bn254.to_coset_array(a, s)
    assert np.array_equal(a, keep)
    bn254.to_coset_array(a, s, inplace=True)
    assert np.array_equal(a, out)


def test_to_coset_beyond_the_table_and_errors():
    old = bn254.set_ntt_table_max_log(3)  # spans above 2^3: the split path
    try:
        for k in (2, 3, 4, 7):
            ev = rand_vec(1 << k)
            s = rng.randrange(2, R)
            got = bn254.to_coset_array(bn254.fr_ints_to_mont_array(ev), s, threads=2)
            assert bn254.fr_mont_array_to_ints(got) == to_coset_ref(ev, s), k
    finally:
        bn254.set_ntt_table_max_log(old)
    with pytest.raises(InputError):
        bn254.to_coset_array(bn254.fr_ints_to_mont_array([1, 2, 3]), 5)
    with pytest.raises(InputError):
        bn254.to_coset_array(bn254.fr_ints_to_mont_array([1, 2]), 0)
