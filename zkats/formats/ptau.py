"""snarkjs' powers-of-tau files (``.ptau``), read and written byte-compatibly.

Layout (iden3 binary container: magic ``ptau``, u32 version 1, u32 number
of sections, then sections ``u32 id, u64 size, bytes``; facts from snarkjs
0.7.6 ``powersoftau_new.js`` / ``powersoftau_utils.js``):

== =========== ==========================================================
id name        content
== =========== ==========================================================
1  header      u32 n8 (32), q (32 bytes LE), u32 power, u32 ceremonyPower
2  tauG1       2^power*2 - 1 G1 points: tau^i * G1
3  tauG2       2^power G2 points: tau^i * G2
4  alphaTauG1  2^power G1 points: alpha * tau^i * G1
5  betaTauG1   2^power G1 points: beta * tau^i * G1
6  betaG2      1 G2 point
7  contribs    u32 n, then n contributions (see :class:`Contribution`)
12 lagrange    for p = 0..power+1: the 2^p Lagrange-basis points of tauG1
13             for p = 0..power: the same for tauG2
14             ... for alphaTauG1
15             ... for betaTauG1
== =========== ==========================================================

Points are affine, Montgomery form, little-endian limbs (G1 64 bytes, G2
128 bytes: x.c0, x.c1, y.c0, y.c1); all zero bytes encode infinity.  The
bulk sections are exposed as numpy ``uint64`` arrays (n, 8) / (n, 16) that
are views of a read-only memory map: no per-point Python objects.

Validation happens before anything is allocated: magic, version, section
table against the file size, header fields, every section's size against
the header's power.  Points: every coordinate is checked canonical (< q)
and every point on the curve; G2 points also in the subgroup.  With
``check="lazy"`` only the header, the contribution points and the first
points of each section are checked (the ceremony verifier checks the rest
through its random linear combinations); the default ``"full"`` checks
every point natively.
"""

import os
import secrets
import struct
from dataclasses import dataclass, field

import numpy as np

from ..errors import FormatError
from ..field import Q
from .binfile import (
    BinFile,
    BinWriter as _BinWriter,
    decode_params,
    encode_name,
)
from .points import g1_from_lem, g1_to_lem, g2_from_lem, g2_to_lem

MAGIC = b"ptau"
VERSION = 1
MAX_POWER = 28  # Fr's 2-adicity: snarkjs' limit for Lagrange sections

G1_BYTES = 64
G2_BYTES = 128


# ---------------------------------------------------------------------------
# iden3 binary container: zkats.formats.binfile, with atomic replacement
# ---------------------------------------------------------------------------


class BinWriter(_BinWriter):
    """:class:`zkats.formats.binfile.BinWriter` writing to a temporary file
    next to ``path`` that replaces it only when the writer closes without
    error: an output may name the (memory-mapped) input file, and a failed
    run never leaves a truncated file behind."""

    def __init__(self, path, magic, n_sections, version=1):
        if isinstance(magic, str):
            magic = magic.encode()
        self.path = str(path)
        self.tmp = f"{self.path}.tmp-{os.getpid()}"
        self.f = open(self.tmp, "wb")
        self.f.write(struct.pack("<4sII", magic, version, n_sections))
        self._start = 0

    def close(self):
        self.f.close()
        os.replace(self.tmp, self.path)

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
            return
        self.f.close()
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# point validation
# ---------------------------------------------------------------------------


def check_g1_array(path, sid, arr, what="point"):
    """Raise FormatError naming the section unless every point of the (n, 8)
    Montgomery array is canonical and on the curve (infinity allowed)."""
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    arr = np.ascontiguousarray(arr)
    if len(arr) == 0:
        return
    bad = bn254.g1_check_array(arr)
    if bad >= 0:
        raise FormatError(path, f"{what} {bad} is not a canonical G1 point on the curve", sid)


#: independent random combinations in the batched G2 subgroup check
_SUBGROUP_ROUNDS = 5


def check_g2_array(path, sid, arr, what="point"):
    """As :func:`check_g1_array` for (n, 16) G2 arrays; also the subgroup.

    Every point is checked canonical and on the twist individually.  For
    more than 32 points the subgroup membership is checked in batch: a
    point outside G2 has a component of order dividing the twist cofactor,
    whose smallest prime factor is 10069, so a random combination
    sum r_i P_i (32-bit r_i) of a set containing such a point lies in G2
    with probability at most 1/10069; five independent combinations leave
    at most 2^-66.  When a combination fails, every point is checked to
    name the first bad one."""
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    arr = np.ascontiguousarray(arr)
    n = len(arr)
    if n == 0:
        return
    fn = bn254.g2_check_array
    if n <= 32:
        bad = fn(arr, subgroup=True)
    else:
        bad = fn(arr, subgroup=False)
        if bad < 0 and not _g2_batch_in_subgroup(arr):
            bad = fn(arr, subgroup=True)
    if bad >= 0:
        raise FormatError(path, f"{what} {bad} is not a canonical G2 point of the subgroup", sid)


def _g2_batch_in_subgroup(arr):

    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    n = len(arr)
    for _ in range(_SUBGROUP_ROUNDS):
        s = np.zeros((n, 4), dtype=np.uint64)
        s[:, 0] = np.frombuffer(secrets.token_bytes(4 * n), dtype="<u4")
        acc = bn254.msm_g2_array(arr, s)
        if acc is not None and not bn254.is_in_subgroup_g2(acc):
            return False
    return True


# ---------------------------------------------------------------------------
# the file
# ---------------------------------------------------------------------------


@dataclass
class Contribution:
    """One entry of section 7, as snarkjs stores it.

    Points are canonical affine ints (``None`` = infinity).  ``key`` holds
    the contributor's public key: ``tau_g1_s, tau_g1_sx, alpha_g1_s,
    alpha_g1_sx, beta_g1_s, beta_g1_sx`` (G1) and ``tau_g2_spx,
    alpha_g2_spx, beta_g2_spx`` (G2).  ``partial_hash`` is the 216-byte
    BLAKE2b state (see :mod:`zkats.groth16.transcript`), ``next_challenge``
    the 64-byte hash the next contributor starts from.  ``type`` 0 is a
    contribution, 1 a beacon (with ``num_iterations_exp`` and
    ``beacon_hash``).  ``name`` is raw UTF-8 bytes (at most 64 characters).
    """

    tau_g1: object
    tau_g2: object
    alpha_g1: object
    beta_g1: object
    beta_g2: object
    key: dict
    partial_hash: bytes
    next_challenge: bytes
    type: int = 0
    name: bytes | None = None
    num_iterations_exp: int | None = None
    beacon_hash: bytes | None = None


KEY_G1 = ("tau_g1_s", "tau_g1_sx", "alpha_g1_s", "alpha_g1_sx", "beta_g1_s", "beta_g1_sx")
KEY_G2 = ("tau_g2_spx", "alpha_g2_spx", "beta_g2_spx")


#: the accumulator's point sections in file order (what a contribution
#: changes, a challenge and a response carry): (PTau attribute, snarkjs
#: name, section id, group, point count for 2^power)
POINTS = (
    ("tau_g1", "tauG1", 2, 1, lambda n: 2 * n - 1),
    ("tau_g2", "tauG2", 3, 2, lambda n: n),
    ("alpha_tau_g1", "alphaTauG1", 4, 1, lambda n: n),
    ("beta_tau_g1", "betaTauG1", 5, 1, lambda n: n),
    ("beta_g2", "betaG2", 6, 2, lambda n: 1),
)


@dataclass
class PTau:
    """A powers-of-tau file.  Arrays are Montgomery affine uint64 arrays."""

    power: int
    ceremony_power: int
    tau_g1: np.ndarray
    tau_g2: np.ndarray
    alpha_tau_g1: np.ndarray
    beta_tau_g1: np.ndarray
    beta_g2: np.ndarray
    contributions: list[Contribution] = field(default_factory=list)
    #: sections 12..15 (None unless phase-2 prepared)
    lagrange_g1: np.ndarray | None = None
    lagrange_g2: np.ndarray | None = None
    lagrange_alpha_g1: np.ndarray | None = None
    lagrange_beta_g1: np.ndarray | None = None
    path: str | None = None
    _file: BinFile | None = None

    @classmethod
    def of_points(cls, power, points, contributions=(), ceremony_power=None):
        """An accumulator of 2^``power`` from its point sections ``points``
        (arrays in :data:`POINTS` order), without phase-2 sections;
        ``contributions`` are copied."""
        points = tuple(points)
        if len(points) != len(POINTS):
            raise ValueError(f"a PTau has {len(POINTS)} point sections, got {len(points)}")
        tau_g1, tau_g2, alpha_tau_g1, beta_tau_g1, beta_g2 = points
        return cls(
            power=power,
            ceremony_power=power if ceremony_power is None else ceremony_power,
            tau_g1=tau_g1,
            tau_g2=tau_g2,
            alpha_tau_g1=alpha_tau_g1,
            beta_tau_g1=beta_tau_g1,
            beta_g2=beta_g2,
            contributions=list(contributions),
        )

    def points(self):
        """``[(snarkjs name, group, array)]`` of the point sections in file order."""
        return [(name, group, getattr(self, attr)) for attr, name, _, group, _ in POINTS]

    @property
    def prepared(self):
        return self.lagrange_g1 is not None

    def lagrange(self, which, p):
        """The 2^p Lagrange-basis points of section ``which`` (12..15) for a
        domain of size 2^p: an (2^p, width) view."""
        arr = {
            12: self.lagrange_g1,
            13: self.lagrange_g2,
            14: self.lagrange_alpha_g1,
            15: self.lagrange_beta_g1,
        }[which]
        if arr is None:
            raise FormatError(
                self.path or "ptau",
                "not prepared for phase 2 (run powersoftau prepare phase2)",
                which,
            )
        top = self.power + 1 if which == 12 else self.power
        if not 0 <= p <= top:
            raise FormatError(self.path or "ptau", f"has no Lagrange basis of size 2^{p}", which)
        return arr[(1 << p) - 1 : (1 << (p + 1)) - 1]


def section_counts(power):
    n = 1 << power
    return {
        2: 2 * n - 1,
        3: n,
        4: n,
        5: n,
        6: 1,
        12: (1 << (power + 2)) - 1,
        13: 2 * n - 1,
        14: 2 * n - 1,
        15: 2 * n - 1,
    }


def _read_header(bf):
    off, size = bf.unique(1)
    if size < 4:
        raise FormatError(bf.path, "header too short", 1)
    n8 = struct.unpack_from("<I", bf.buf, off)[0]
    if n8 != 32:
        raise FormatError(bf.path, f"field size n8 = {n8}, expected 32 (bn128)", 1)
    if size != 4 + n8 + 8:
        raise FormatError(bf.path, f"header size {size}, expected {4 + n8 + 8}", 1)
    q = int.from_bytes(bf.buf[off + 4 : off + 36], "little")
    if q != Q:
        raise FormatError(bf.path, "prime q is not BN254's base field (only bn128 is supported)", 1)
    power, cpower = struct.unpack_from("<II", bf.buf, off + 36)
    if not 1 <= power <= MAX_POWER:
        raise FormatError(bf.path, f"power {power} outside 1..{MAX_POWER}", 1)
    if not power <= cpower <= MAX_POWER:
        raise FormatError(
            bf.path, f"ceremony power {cpower} smaller than power {power} or > {MAX_POWER}", 1
        )
    return power, cpower


def _read_contributions(bf, check_points=True):
    off, size = bf.unique(7)
    buf = bf.buf
    end = off + size
    pos = off

    def need(n):
        if pos + n > end:
            raise FormatError(bf.path, "contribution record runs past the section end", 7)

    def g1():
        nonlocal pos
        need(64)
        raw = bytes(buf[pos : pos + 64])
        pos += 64
        return raw

    def g2():
        nonlocal pos
        need(128)
        raw = bytes(buf[pos : pos + 128])
        pos += 128
        return raw

    need(4)
    n = struct.unpack_from("<I", buf, pos)[0]
    pos += 4
    min_rec = 64 * 3 + 128 * 2 + 64 * 6 + 128 * 3 + 216 + 64 + 8
    if n * min_rec > size:
        raise FormatError(bf.path, f"{n} contributions do not fit in {size} bytes", 7)
    out = []
    g1raw, g2raw = [], []
    for _ in range(n):
        rec = {}
        rec["tau_g1"] = g1()
        rec["tau_g2"] = g2()
        rec["alpha_g1"] = g1()
        rec["beta_g1"] = g1()
        rec["beta_g2"] = g2()
        key = {}
        for k in KEY_G1:
            key[k] = g1()
        for k in KEY_G2:
            key[k] = g2()
        need(216 + 64 + 8)
        partial = bytes(buf[pos : pos + 216])
        pos += 216
        nxt = bytes(buf[pos : pos + 64])
        pos += 64
        typ, plen = struct.unpack_from("<II", buf, pos)
        pos += 8
        need(plen)
        params = bytes(buf[pos : pos + plen])
        pos += plen
        name, iters, bhash = decode_params(params, bf.path, 7)
        if typ not in (0, 1):
            raise FormatError(bf.path, f"unknown contribution type {typ}", 7)
        if typ == 1 and (iters is None or bhash is None):
            raise FormatError(bf.path, "beacon contribution without its parameters", 7)
        g1raw += [rec["tau_g1"], rec["alpha_g1"], rec["beta_g1"]] + [key[k] for k in KEY_G1]
        g2raw += [rec["tau_g2"], rec["beta_g2"]] + [key[k] for k in KEY_G2]
        out.append((rec, key, partial, nxt, typ, name, iters, bhash))
    if pos != end:
        raise FormatError(bf.path, f"{end - pos} unexpected bytes after the contributions", 7)
    if check_points and out:
        check_g1_array(
            bf.path,
            7,
            np.frombuffer(b"".join(g1raw), dtype="<u8").reshape(-1, 8),
            "contribution point",
        )
        check_g2_array(
            bf.path,
            7,
            np.frombuffer(b"".join(g2raw), dtype="<u8").reshape(-1, 16),
            "contribution point",
        )

    res = []
    for rec, key, partial, nxt, typ, name, iters, bhash in out:
        conv = {
            k: (g2_from_lem(v) if k in ("tau_g2", "beta_g2") else g1_from_lem(v))
            for k, v in rec.items()
        }
        kconv = {k: (g2_from_lem(v) if k in KEY_G2 else g1_from_lem(v)) for k, v in key.items()}
        res.append(
            Contribution(
                key=kconv,
                partial_hash=partial,
                next_challenge=nxt,
                type=typ,
                name=name,
                num_iterations_exp=iters,
                beacon_hash=bhash,
                **conv,
            )
        )
    return res


def read_ptau(path, check="full"):
    """Read and validate a ``.ptau`` file (see the module docstring).

    ``check``: ``"full"`` (every point), ``"lazy"`` (header, contributions,
    section sizes and the first two points of every section).
    """
    bf = BinFile(path, MAGIC, VERSION)
    for sid in bf.sections:
        if sid not in (1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15):
            raise FormatError(bf.path, "unknown section id", sid)
        if len(bf.sections[sid]) > 1:
            raise FormatError(bf.path, "appears more than once", sid)
    power, cpower = _read_header(bf)
    cnt = section_counts(power)
    arrays = {}
    for sid in (2, 3, 4, 5, 6):
        arrays[sid] = bf.array(sid, cnt[sid], 8 if sid in (2, 4, 5) else 16)
    lag = [s in bf.sections for s in (12, 13, 14, 15)]
    if any(lag) and not all(lag):
        raise FormatError(bf.path, "has only part of the phase-2 sections 12..15", 12)
    if all(lag):
        for sid in (12, 13, 14, 15):
            arrays[sid] = bf.array(sid, cnt[sid], 16 if sid == 13 else 8)
    for sid, arr in arrays.items():
        part = arr if check == "full" else arr[:2]
        if arr.shape[1] == 8:
            check_g1_array(bf.path, sid, part)
        else:
            check_g2_array(bf.path, sid, part)
    contribs = _read_contributions(bf)
    return PTau(
        power=power,
        ceremony_power=cpower,
        tau_g1=arrays[2],
        tau_g2=arrays[3],
        alpha_tau_g1=arrays[4],
        beta_tau_g1=arrays[5],
        beta_g2=arrays[6],
        contributions=contribs,
        lagrange_g1=arrays.get(12),
        lagrange_g2=arrays.get(13),
        lagrange_alpha_g1=arrays.get(14),
        lagrange_beta_g1=arrays.get(15),
        path=bf.path,
        _file=bf,
    )


def contribution_bytes(c):
    """Serialise one contribution exactly as snarkjs' writeContribution."""

    parts = [
        g1_to_lem(c.tau_g1),
        g2_to_lem(c.tau_g2),
        g1_to_lem(c.alpha_g1),
        g1_to_lem(c.beta_g1),
        g2_to_lem(c.beta_g2),
    ]
    parts += [g1_to_lem(c.key[k]) for k in KEY_G1]
    parts += [g2_to_lem(c.key[k]) for k in KEY_G2]
    if len(c.partial_hash) != 216 or len(c.next_challenge) != 64:
        raise ValueError("partial hash is 216 bytes and next challenge 64 bytes")
    parts += [c.partial_hash, c.next_challenge, struct.pack("<I", c.type or 0)]
    params = bytearray()
    if c.name:
        name = encode_name(c.name)
        params += bytes([1, len(name)]) + name
    if c.type == 1:
        params += bytes([2, c.num_iterations_exp, 3, len(c.beacon_hash)]) + bytes(c.beacon_hash)
    parts += [struct.pack("<I", len(params)), bytes(params)]
    return b"".join(parts)


def contributions_bytes(contribs):
    return struct.pack("<I", len(contribs)) + b"".join(contribution_bytes(c) for c in contribs)


def header_bytes(power, ceremony_power):
    return (
        struct.pack("<I", 32) + Q.to_bytes(32, "little") + struct.pack("<II", power, ceremony_power)
    )


def write_ptau(path, pt):
    """Write ``pt`` in snarkjs' section order (1..7, then 12..15 if present)."""
    ids = [1, 2, 3, 4, 5, 6, 7] + ([12, 13, 14, 15] if pt.prepared else [])
    with BinWriter(path, MAGIC, len(ids)) as w:
        w.section(1, header_bytes(pt.power, pt.ceremony_power))
        w.section(2, pt.tau_g1)
        w.section(3, pt.tau_g2)
        w.section(4, pt.alpha_tau_g1)
        w.section(5, pt.beta_tau_g1)
        w.section(6, pt.beta_g2)
        w.section(7, contributions_bytes(pt.contributions))
        if pt.prepared:
            w.section(12, pt.lagrange_g1)
            w.section(13, pt.lagrange_g2)
            w.section(14, pt.lagrange_alpha_g1)
            w.section(15, pt.lagrange_beta_g1)


def truncate_ptau(path, template):
    """``snarkjs powersoftau truncate``: for p = 1 .. power-1 write
    ``{template}{p:02d}.ptau``, the prepared ptau of 2^p (each section's
    prefix; the contributions copied).  Returns the paths written."""
    bf = BinFile(path, MAGIC, 1)
    hdr = bf.bytes(1)
    if len(hdr) != 44:
        raise FormatError(bf.path, f"header size {len(hdr)}, expected 44", 1)
    power, ceremony = struct.unpack_from("<II", hdr, 36)
    for sid in (12, 13, 14, 15):
        if bf.unique(sid, required=False) is None:
            raise FormatError(
                bf.path, "not prepared for phase 2 (truncate needs the Lagrange sections)", sid
            )
    g1, g2 = 64, 128
    out = []
    for p in range(1, power):
        n = 1 << p
        sizes = {
            2: (2 * n - 1) * g1,
            3: n * g2,
            4: n * g1,
            5: n * g1,
            6: g2,
            7: None,
            12: (4 * n - 1) * g1,
            13: (2 * n - 1) * g2,
            14: (2 * n - 1) * g1,
            15: (2 * n - 1) * g1,
        }
        name = f"{template}{p:02d}.ptau"
        with _BinWriter(name, MAGIC, 11, 1) as w:
            w.section(1, hdr[:36] + struct.pack("<II", p, ceremony))
            for sid, size in sizes.items():
                off, have = bf.unique(sid)
                take = have if size is None else size
                if take > have:
                    raise FormatError(bf.path, f"section too short for 2^{p}", sid)
                w.section(sid, bf.memview(off, take))
        out.append(name)
    return out
