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

Validation (before allocation, one-line :class:`FormatError` naming the
section): magic, version, section table vs file size, protocol 1, field
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
from typing import List, Optional

import numpy as np

from ..errors import FormatError
from ..field import Q, R
from .ptau import (BinFile, BinWriter, check_g1_array, check_g2_array, decode_params,
                   encode_name)

MAGIC = b"zkey"
GROTH16 = 1

COEF_DTYPE = np.dtype([("matrix", "<u4"), ("constraint", "<u4"), ("signal", "<u4"), ("value", "<u8", (4,))])
assert COEF_DTYPE.itemsize == 44

_R2 = pow(1 << 256, 2, R)
_R2INV = pow(_R2, -1, R)


@dataclass
class ZkeyContribution:
    """One phase-2 (delta) contribution of section 10.  Points are plain
    ints; ``transcript`` is the 64-byte hash the contributor's G2 point was
    derived from; ``type`` 1 marks a beacon."""
    delta_after: object
    g1_s: object
    g1_sx: object
    g2_spx: object
    transcript: bytes
    type: int = 0
    name: Optional[bytes] = None
    num_iterations_exp: Optional[int] = None
    beacon_hash: Optional[bytes] = None


@dataclass
class ZKey:
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
    contributions: List[ZkeyContribution] = field(default_factory=list)
    section_order: tuple = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)
    path: Optional[str] = None
    _file: Optional[BinFile] = None

    @property
    def power(self):
        return self.domain_size.bit_length() - 1

    @property
    def coeffs_raw(self):
        """Section 4 without its leading count (44-byte entries), as the
        prover kernel ``bn254.qap_ab_array`` takes it."""
        return memoryview(self.coeffs.view(np.uint8).reshape(-1))

    def coeff_values(self):
        """The coefficient values as canonical ints (file form c*2^512 mod r)."""
        raw = np.ascontiguousarray(self.coeffs["value"]).astype("<u8").tobytes()
        return [int.from_bytes(raw[i:i + 32], "little") * _R2INV % R for i in range(0, len(raw), 32)]

    def verifying_key(self):
        from ..groth16.data_structures import VerifyingKey
        return VerifyingKey(alpha_1=self.alpha_1, beta_2=self.beta_2, gamma_2=self.gamma_2,
                            delta_2=self.delta_2, ic=tuple(self.ic))


def coeff_value_to_file(c):
    """canonical coefficient -> its 32-byte file form (c * 2^512 mod r)."""
    return (c * _R2 % R).to_bytes(32, "little")


def _read_groth_header(bf):
    off, size = bf.unique(1)
    if size != 4:
        raise FormatError(bf.path, f"header size {size}, expected 4", 1)
    proto = struct.unpack_from("<I", bf.buf, off)[0]
    if proto != GROTH16:
        raise FormatError(bf.path, f"protocol id {proto} is not groth16 (1)", 1)
    off, size = bf.unique(2)
    need = 4 + 32 + 4 + 32 + 12 + 64 * 3 + 128 * 3
    if size != need:
        raise FormatError(bf.path, f"groth16 header size {size}, expected {need}", 2)
    n8q = struct.unpack_from("<I", bf.buf, off)[0]
    if n8q != 32:
        raise FormatError(bf.path, f"n8q = {n8q}, expected 32", 2)
    q = int.from_bytes(bf.buf[off + 4:off + 36], "little")
    n8r = struct.unpack_from("<I", bf.buf, off + 36)[0]
    if n8r != 32:
        raise FormatError(bf.path, f"n8r = {n8r}, expected 32", 2)
    r = int.from_bytes(bf.buf[off + 40:off + 72], "little")
    if q != Q or r != R:
        raise FormatError(bf.path, "primes are not BN254's (only bn128 is supported)", 2)
    n_vars, n_public, domain = struct.unpack_from("<III", bf.buf, off + 72)
    if n_vars < 1 or n_public >= n_vars:
        raise FormatError(bf.path, f"nPublic {n_public} must be < nVars {n_vars}", 2)
    if domain < 2 or domain & (domain - 1) or domain > (1 << 28):
        raise FormatError(bf.path, f"domainSize {domain} is not a power of two in 2..2^28", 2)
    p = off + 84
    raw = bytes(bf.buf[p:p + 64 * 3 + 128 * 3])
    g1 = np.frombuffer(raw[0:128] + raw[384:448], dtype="<u8").reshape(3, 8)        # alpha1, beta1, delta1
    g2 = np.frombuffer(raw[128:384] + raw[448:576], dtype="<u8").reshape(3, 16)     # beta2, gamma2, delta2
    check_g1_array(bf.path, 2, g1, "verifying-key G1 point")
    check_g2_array(bf.path, 2, g2, "verifying-key G2 point")
    from .points import g1_from_lem, g2_from_lem
    hdr = dict(n_vars=n_vars, n_public=n_public, domain_size=domain,
               alpha_1=g1_from_lem(raw[0:64]), beta_1=g1_from_lem(raw[64:128]),
               beta_2=g2_from_lem(raw[128:256]), gamma_2=g2_from_lem(raw[256:384]),
               delta_1=g1_from_lem(raw[384:448]), delta_2=g2_from_lem(raw[448:576]))
    for k in ("alpha_1", "beta_1", "beta_2", "gamma_2", "delta_1", "delta_2"):
        if hdr[k] is None:
            raise FormatError(bf.path, f"verifying-key point {k} is the point at infinity", 2)
    return hdr


def _read_coeffs(bf, n_vars, domain):
    off, size = bf.unique(4)
    if size < 4:
        raise FormatError(bf.path, "too short", 4)
    n = struct.unpack_from("<I", bf.buf, off)[0]
    if size != 4 + 44 * n:
        raise FormatError(bf.path, f"size {size} does not hold {n} coefficients of 44 bytes", 4)
    co = np.frombuffer(bf.buf, dtype=COEF_DTYPE, count=n, offset=off + 4)
    if n:
        bad = np.flatnonzero((co["matrix"] > 1) | (co["constraint"] >= domain) | (co["signal"] >= n_vars))
        if bad.size:
            i = int(bad[0])
            raise FormatError(bf.path, f"coefficient {i} out of range (matrix {co['matrix'][i]}, "
                              f"constraint {co['constraint'][i]}, signal {co['signal'][i]})", 4)
        from .. import bn254
        bad = bn254.fr_first_noncanonical(np.ascontiguousarray(co["value"]))
        if bad >= 0:
            raise FormatError(bf.path, f"coefficient {bad} has a value >= r", 4)
    return co


def _read_mpc(bf):
    off, size = bf.unique(10)
    end = off + size
    buf = bf.buf
    if size < 68:
        raise FormatError(bf.path, "too short for csHash and count", 10)
    cs_hash = bytes(buf[off:off + 64])
    n = struct.unpack_from("<I", buf, off + 64)[0]
    pos = off + 68
    rec_min = 64 * 3 + 128 + 64 + 8
    if n * rec_min > size:
        raise FormatError(bf.path, f"{n} contributions do not fit in {size} bytes", 10)
    from .points import g1_from_lem, g2_from_lem
    g1raw, g2raw, recs = [], [], []
    for _ in range(n):
        if pos + rec_min > end:
            raise FormatError(bf.path, "contribution record runs past the section end", 10)
        raw = bytes(buf[pos:pos + 64 * 3 + 128])
        transcript = bytes(buf[pos + 320:pos + 384])
        typ, plen = struct.unpack_from("<II", buf, pos + 384)
        pos += rec_min
        if pos + plen > end:
            raise FormatError(bf.path, "contribution parameters run past the section end", 10)
        params = bytes(buf[pos:pos + plen])
        pos += plen
        name, iters, bhash = decode_params(params, bf.path, 10)
        if typ not in (0, 1) or (typ == 1 and (iters is None or bhash is None)):
            raise FormatError(bf.path, f"bad contribution type {typ} or missing beacon parameters", 10)
        g1raw.append(raw[:192]); g2raw.append(raw[192:320])
        recs.append(ZkeyContribution(delta_after=g1_from_lem(raw[0:64]), g1_s=g1_from_lem(raw[64:128]),
                                     g1_sx=g1_from_lem(raw[128:192]), g2_spx=g2_from_lem(raw[192:320]),
                                     transcript=transcript, type=typ, name=name,
                                     num_iterations_exp=iters, beacon_hash=bhash))
    if pos != end:
        raise FormatError(bf.path, f"{end - pos} unexpected bytes after the contributions", 10)
    if recs:
        check_g1_array(bf.path, 10, np.frombuffer(b"".join(g1raw), dtype="<u8").reshape(-1, 8), "contribution point")
        check_g2_array(bf.path, 10, np.frombuffer(b"".join(g2raw), dtype="<u8").reshape(-1, 16), "contribution point")
    return cs_hash, recs


def read_zkey(path, check="vk"):
    """Read and validate a Groth16 ``.zkey`` (see the module docstring for
    what ``check`` = ``"vk"`` (default) or ``"full"`` checks)."""
    if check not in ("vk", "full"):
        raise ValueError("check is 'vk' or 'full'")
    bf = BinFile(path, MAGIC, 1)
    for sid, lst in bf.sections.items():
        if not 1 <= sid <= 10:
            raise FormatError(bf.path, "unknown section id (not a groth16 zkey?)", sid)
        if len(lst) > 1:
            raise FormatError(bf.path, "appears more than once", sid)
    for sid in range(1, 11):
        bf.unique(sid)
    hdr = _read_groth_header(bf)
    nv, npub, dom = hdr["n_vars"], hdr["n_public"], hdr["domain_size"]
    ic = bf.array(3, npub + 1, 8)
    check_g1_array(bf.path, 3, ic, "IC point")
    coeffs = _read_coeffs(bf, nv, dom)
    arrs = {5: bf.array(5, nv, 8), 6: bf.array(6, nv, 8), 7: bf.array(7, nv, 16),
            8: bf.array(8, nv - npub - 1, 8), 9: bf.array(9, dom, 8)}
    if check == "full":
        for sid, a in arrs.items():
            (check_g2_array if sid == 7 else check_g1_array)(bf.path, sid, a)
    cs_hash, contribs = _read_mpc(bf)
    from .points import g1_from_lem
    raw_ic = ic.astype("<u8").tobytes()
    ic_pts = [g1_from_lem(raw_ic[64 * i:64 * i + 64]) for i in range(npub + 1)]
    return ZKey(ic=ic_pts, coeffs=coeffs, A=arrs[5], B1=arrs[6], B2=arrs[7], C=arrs[8], H=arrs[9],
                cs_hash=cs_hash, contributions=contribs, section_order=tuple(bf.order),
                path=bf.path, _file=bf, **hdr)


def header_bytes(zk):
    from .points import g1_to_lem, g2_to_lem
    return (struct.pack("<I", 32) + Q.to_bytes(32, "little") + struct.pack("<I", 32) + R.to_bytes(32, "little")
            + struct.pack("<III", zk.n_vars, zk.n_public, zk.domain_size)
            + g1_to_lem(zk.alpha_1) + g1_to_lem(zk.beta_1) + g2_to_lem(zk.beta_2)
            + g2_to_lem(zk.gamma_2) + g1_to_lem(zk.delta_1) + g2_to_lem(zk.delta_2))


def contribution_bytes(c):
    from .points import g1_to_lem, g2_to_lem
    params = bytearray()
    if c.name:
        name = encode_name(c.name)
        params += bytes([1, len(name)]) + name
    if c.type == 1:
        params += bytes([2, c.num_iterations_exp, 3, len(c.beacon_hash)]) + bytes(c.beacon_hash)
    return (g1_to_lem(c.delta_after) + g1_to_lem(c.g1_s) + g1_to_lem(c.g1_sx) + g2_to_lem(c.g2_spx)
            + bytes(c.transcript) + struct.pack("<II", c.type or 0, len(params)) + bytes(params))


def mpc_bytes(cs_hash, contribs):
    return bytes(cs_hash) + struct.pack("<I", len(contribs)) + b"".join(contribution_bytes(c) for c in contribs)


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
        4: lambda: [struct.pack("<I", len(zk.coeffs)), np.ascontiguousarray(zk.coeffs, dtype=COEF_DTYPE)],
        5: lambda: zk.A, 6: lambda: zk.B1, 7: lambda: zk.B2, 8: lambda: zk.C, 9: lambda: zk.H,
        10: lambda: mpc_bytes(zk.cs_hash, zk.contributions),
    }
    with BinWriter(path, MAGIC, 10) as w:
        for sid in order:
            chunks = body[sid]()
            if not isinstance(chunks, list):
                chunks = [chunks]
            w.section(sid, *chunks)


def _ic_array(ic):
    from .points import g1_to_lem
    return b"".join(g1_to_lem(p) for p in ic)
