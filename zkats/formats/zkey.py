"""snarkjs' Groth16 proving keys (``.zkey``), read and written byte-compatibly.

Layout (iden3 binary container, magic ``zkey``, version 1; facts from
snarkjs 0.7.6 ``zkey_utils.js`` and ``zkey_new.js``):

== ============ ===========================================================
id name         content
== ============ ===========================================================
1  header       u32 protocol (1 = groth16)
2  groth16      u32 n8q (32), q (LE), u32 n8r (32), r (LE), u32 nVars,
                u32 nPublic, u32 domainSize, alpha1, beta1 (G1), beta2,
                gamma2 (G2), delta1 (G1), delta2 (G2)
3  IC           nPublic+1 G1 points
4  coeffs       u32 n, then n entries of 44 bytes: u32 matrix (0 = A,
                1 = B), u32 constraint, u32 signal, 32-byte value stored
                as c * 2^512 mod r ("Montgomery times R again")
5  A            nVars G1 points
6  B1           nVars G1 points
7  B2           nVars G2 points
8  C            nVars - nPublic - 1 G1 points (the private signals)
9  H            domainSize G1 points
10 contribs     64-byte csHash, u32 n, n phase-2 contributions
== ============ ===========================================================

Points are affine, Montgomery form, little-endian (see :mod:`.ptau`).
snarkjs writes the sections in different orders (``zkey new``:
1 2 4 3 9 8 5 6 7 10; ``zkey contribute``: 1..10); :class:`ZKey` keeps
the order it was read in so that read -> write is byte-identical.

Validation (:mod:`.zkey_layout`, numpy-free and shared with the
command-line prover; before allocation, one-line :class:`FormatError`
naming the section): magic, version, section table vs file size, protocol 1, field
sizes 32 and both primes BN254's, nPublic < nVars, domainSize a power of
two >= 2, every section's size against the header counts, coefficient
entries in range (matrix 0/1, constraint < domainSize, signal < nVars,
value < r), contribution records well formed.  Points: the verifying-key
points, IC and the contribution points are always checked (canonical,
on curve, G2 in the subgroup).  The bulk sections A, B1, B2, C, H are
checked only with ``check="full"``: by default (``check="vk"``) they are
mapped without a per-point check, because the prover verifies every proof
against the verifying key before writing it, so a corrupted proving key
cannot produce an accepted proof; ``zkey verify`` checks them through its
random linear combinations.
"""

import struct
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..field import Q, R
from .points import g1_to_lem, g2_to_lem
from .ptau import BinFile, BinWriter, check_g1_array, check_g2_array, encode_name
from .zkey_layout import GROTH16, MAGIC, GrothKeyHeader, ZkeyContribution, open_zkey

COEF_DTYPE = np.dtype(
    [("matrix", "<u4"), ("constraint", "<u4"), ("signal", "<u4"), ("value", "<u8", (4,))]
)
assert COEF_DTYPE.itemsize == 44

_R2 = pow(1 << 256, 2, R)
_R2INV = pow(_R2, -1, R)


@dataclass
class ZKey(GrothKeyHeader):
    n_vars: int
    n_public: int
    domain_size: int
    alpha_1: object
    beta_1: object
    beta_2: object
    gamma_2: object
    delta_1: object
    delta_2: object
    ic: list
    #: structured array (matrix, constraint, signal, value) of section 4
    coeffs: np.ndarray
    A: np.ndarray
    B1: np.ndarray
    B2: np.ndarray
    C: np.ndarray
    H: np.ndarray
    cs_hash: bytes = bytes(64)
    contributions: list[ZkeyContribution] = field(default_factory=list)
    section_order: tuple = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)
    path: str | None = None
    _file: BinFile | None = None

    @property
    def coeffs_raw(self):
        """Section 4 without its leading count (44-byte entries), as the
        prover kernel ``bn254.qap_ab_array`` takes it."""
        return memoryview(self.coeffs.view(np.uint8).reshape(-1).data)

    def section_buffers(self):
        """{"coeffs", "A", "B1", "B2", "C", "H"} -> C-contiguous buffers for
        the native prover, their sizes checked against the header counts."""

        nv, npub, dom = int(self.n_vars), int(self.n_public), int(self.domain_size)
        want = {"A": (nv, 8), "B1": (nv, 8), "B2": (nv, 16), "C": (nv - npub - 1, 8), "H": (dom, 8)}
        out: dict[str, np.ndarray] = {
            "coeffs": np.ascontiguousarray(self.coeffs, dtype=COEF_DTYPE).view(np.uint8).reshape(-1)
        }
        for name, shape in want.items():
            arr = np.ascontiguousarray(getattr(self, name), dtype=np.uint64)
            if arr.size != shape[0] * shape[1]:
                raise InputError(
                    f"proving key section {name}: {arr.size // shape[1]} points, "
                    f"expected {shape[0]}"
                )
            out[name] = arr
        return out

    def coeff_values(self):
        """The coefficient values as canonical ints (file form c*2^512 mod r)."""
        raw = np.ascontiguousarray(self.coeffs["value"]).astype("<u8").tobytes()
        return [
            int.from_bytes(raw[i : i + 32], "little") * _R2INV % R for i in range(0, len(raw), 32)
        ]


def normalized_coeffs(coeffs):
    """The coefficient entries as the prover uses them: sorted by (matrix,
    constraint, signal), a signal listed twice in one row summed, zeros
    dropped.  Returns (matrix, constraint, signal, value limbs) arrays; the
    values stay in file form (c * 2^512 mod r, a bijection, so equal file
    forms mean equal coefficients)."""
    c = np.ascontiguousarray(coeffs, dtype=COEF_DTYPE)
    order = np.lexsort((c["signal"], c["constraint"], c["matrix"]))
    c = c[order]
    key = np.stack([c["matrix"], c["constraint"], c["signal"]], axis=1).astype(np.int64)
    vals = np.array(c["value"], dtype=np.uint64).reshape(-1, 4)
    if len(c) > 1:
        dup = (key[1:] == key[:-1]).all(axis=1)
        if dup.any():  # rare: sum each repeated (matrix, constraint, signal) mod r
            first = np.concatenate(([True], ~dup))
            starts = np.flatnonzero(first)
            ends = np.append(starts[1:], len(c))
            merged = []
            for s_, e_ in zip(starts.tolist(), ends.tolist()):
                if e_ - s_ == 1:
                    merged.append(vals[s_])
                    continue
                v = sum(
                    int.from_bytes(vals[i].astype("<u8").tobytes(), "little") for i in range(s_, e_)
                )
                merged.append(np.frombuffer((v % R).to_bytes(32, "little"), dtype="<u8"))
            key, vals = key[starts], np.array(merged, dtype=np.uint64).reshape(-1, 4)
    nz = vals.any(axis=1)
    return key[nz], vals[nz]


def coeffs_differ(a, b):
    """None when the coefficient sections ``a`` and ``b`` give the prover
    the same matrices (byte-identical, or the same terms listed in another
    order, repeats summed, zeros dropped), else a short description of the
    first difference ("matrix A, constraint 12, signal 7")."""
    a = np.ascontiguousarray(a, dtype=COEF_DTYPE)
    b = np.ascontiguousarray(b, dtype=COEF_DTYPE)
    if len(a) == len(b) and a.tobytes() == b.tobytes():
        return None
    ka, va = normalized_coeffs(a)
    kb, vb = normalized_coeffs(b)
    n = min(len(ka), len(kb))
    bad = np.flatnonzero((ka[:n] != kb[:n]).any(axis=1) | (va[:n] != vb[:n]).any(axis=1))
    if bad.shape[0]:
        i = int(bad[0])
        k = min(tuple(ka[i]), tuple(kb[i]))
    elif len(ka) != len(kb):
        k = tuple((ka if len(ka) > n else kb)[n])
    else:
        return None
    return f"matrix {'AB'[int(k[0])]}, constraint {int(k[1])}, signal {int(k[2])}"


def coeff_value_to_file(c):
    """canonical coefficient -> its 32-byte file form (c * 2^512 mod r)."""
    return (c * _R2 % R).to_bytes(32, "little")


def read_zkey(path, check="vk"):
    """Read and validate a Groth16 ``.zkey`` (see the module docstring for
    what ``check`` = ``"vk"`` (default) or ``"full"`` checks; the header and
    section checks are :func:`zkats.formats.zkey_layout.open_zkey`'s)."""
    if check not in ("vk", "full"):
        raise ValueError("check is 'vk' or 'full'")
    lay = open_zkey(path)
    bf = lay._file
    nv, npub, dom = lay.n_vars, lay.n_public, lay.domain_size
    coeffs = np.frombuffer(bf.buf, dtype=COEF_DTYPE, count=lay.n_coeffs, offset=lay.coeff_offset)
    arrs = {
        5: bf.array(5, nv, 8),
        6: bf.array(6, nv, 8),
        7: bf.array(7, nv, 16),
        8: bf.array(8, nv - npub - 1, 8),
        9: bf.array(9, dom, 8),
    }
    if check == "full":
        for sid, a in arrs.items():
            (check_g2_array if sid == 7 else check_g1_array)(bf.path, sid, a)
    return ZKey(
        n_vars=nv,
        n_public=npub,
        domain_size=dom,
        alpha_1=lay.alpha_1,
        beta_1=lay.beta_1,
        beta_2=lay.beta_2,
        gamma_2=lay.gamma_2,
        delta_1=lay.delta_1,
        delta_2=lay.delta_2,
        ic=lay.ic,
        coeffs=coeffs,
        A=arrs[5],
        B1=arrs[6],
        B2=arrs[7],
        C=arrs[8],
        H=arrs[9],
        cs_hash=lay.cs_hash,
        contributions=lay.contributions,
        section_order=lay.section_order,
        path=bf.path,
        _file=bf,
    )


def header_bytes(zk):

    return (
        struct.pack("<I", 32)
        + Q.to_bytes(32, "little")
        + struct.pack("<I", 32)
        + R.to_bytes(32, "little")
        + struct.pack("<III", zk.n_vars, zk.n_public, zk.domain_size)
        + g1_to_lem(zk.alpha_1)
        + g1_to_lem(zk.beta_1)
        + g2_to_lem(zk.beta_2)
        + g2_to_lem(zk.gamma_2)
        + g1_to_lem(zk.delta_1)
        + g2_to_lem(zk.delta_2)
    )


def contribution_bytes(c):

    params = bytearray()
    if c.name:
        name = encode_name(c.name)
        params += bytes([1, len(name)]) + name
    if c.type == 1:
        params += bytes([2, c.num_iterations_exp, 3, len(c.beacon_hash)]) + bytes(c.beacon_hash)
    return (
        g1_to_lem(c.delta_after)
        + g1_to_lem(c.g1_s)
        + g1_to_lem(c.g1_sx)
        + g2_to_lem(c.g2_spx)
        + bytes(c.transcript)
        + struct.pack("<II", c.type or 0, len(params))
        + bytes(params)
    )


def mpc_bytes(cs_hash, contribs):
    return (
        bytes(cs_hash)
        + struct.pack("<I", len(contribs))
        + b"".join(contribution_bytes(c) for c in contribs)
    )


def write_zkey(path, zk, order=None):
    """Write ``zk`` with its sections in ``order`` (default: the order it
    was read in, or ``zkey new``'s order for a fresh key)."""
    order = tuple(order or zk.section_order)
    if sorted(order) != list(range(1, 11)):
        raise ValueError("section order must list 1..10 once each")
    body = {
        1: lambda: struct.pack("<I", GROTH16),
        2: lambda: header_bytes(zk),
        3: lambda: _ic_array(zk.ic),
        4: lambda: [
            struct.pack("<I", len(zk.coeffs)),
            np.ascontiguousarray(zk.coeffs, dtype=COEF_DTYPE),
        ],
        5: lambda: zk.A,
        6: lambda: zk.B1,
        7: lambda: zk.B2,
        8: lambda: zk.C,
        9: lambda: zk.H,
        10: lambda: mpc_bytes(zk.cs_hash, zk.contributions),
    }
    with BinWriter(path, MAGIC, 10) as w:
        for sid in order:
            chunks = body[sid]()
            if not isinstance(chunks, list):
                chunks = [chunks]
            w.section(sid, *chunks)


def _ic_array(ic):

    return b"".join(g1_to_lem(p) for p in ic)
