"""A snarkjs Groth16 ``.zkey`` opened and validated without numpy.

The section table, the headers, every section size, the verifying-key and
IC points, the coefficient entries and the contribution records are
checked here, once, for both readers: :func:`zkats.formats.zkey.read_zkey`
(which wraps the bulk sections in numpy arrays) and the command-line prover
(which hands them to the native core as buffers, so that ``zkats groth16
prove`` never imports numpy).  The layout is described in
:mod:`zkats.formats.zkey`.

Checks (each failure a one-line :class:`FormatError` naming the file and
the section): magic ``zkey``, version 1, section ids 1..10 each exactly
once, protocol 1 (groth16), header size, n8q = n8r = 32 and BN254's two
primes, nPublic < nVars, domainSize a power of two in 2..2^28; the
verifying-key points and the IC points canonical and on the curve (G2 in
the subgroup) and the key's points not at infinity; the coefficient count
against its section size and every entry in range (matrix 0/1, constraint
< domainSize, signal < nVars, value < r; checked natively); the sizes of
sections 5..9 against the header counts; the contribution records well
formed, their points canonical and on the curve.  The bulk point sections
(A, B1, B2, C, H) are not checked point by point here (see ``check="full"``
in :func:`zkats.formats.zkey.read_zkey`).
"""

import struct

from ..errors import FormatError
from ..field import Q, R
from ..groth16_data import Record, VerifyingKey
from .binfile import BinFile, decode_params
from .points import g1_from_lem, g2_from_lem

MAGIC = b"zkey"
GROTH16 = 1
#: bytes of one coefficient entry (u32 matrix, u32 constraint, u32 signal, 32-byte value)
COEF_BYTES = 44
#: section id -> name, for the bulk point sections
POINT_SECTIONS = {5: "A", 6: "B1", 7: "B2", 8: "C", 9: "H"}


class ZkeyContribution(Record):
    """One phase-2 (delta) contribution of section 10 (a frozen record).
    Points are plain ints; ``transcript`` is the 64-byte hash the
    contributor's G2 point was derived from; ``type`` 1 marks a beacon."""

    __slots__ = _fields = (
        "delta_after",
        "g1_s",
        "g1_sx",
        "g2_spx",
        "transcript",
        "type",
        "name",
        "num_iterations_exp",
        "beacon_hash",
    )
    _defaults = {"type": 0, "name": None, "num_iterations_exp": None, "beacon_hash": None}


# ------------------------------------------------------------ point checks
def check_g1_bytes(path, sid, raw, what="point"):
    """FormatError naming the section unless every 64-byte Montgomery point
    of ``raw`` is canonical and on the curve (infinity allowed); the same
    message as :func:`zkats.formats.ptau.check_g1_array`."""
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    bad = bn254.g1_check_bytes(raw)
    if bad >= 0:
        raise FormatError(path, f"{what} {bad} is not a canonical G1 point on the curve", sid)


def check_g2_bytes(path, sid, raw, what="point"):
    """As :func:`check_g1_bytes` for 128-byte G2 points, also in the
    subgroup (each point on its own up to 32 points, as
    :func:`zkats.formats.ptau.check_g2_array` does; above, that function)."""
    # local import: zkats.bn254 loads the native library; only its users pay
    from .. import bn254

    n = len(raw) // 128
    if n == 0:
        return
    if n > 32:
        # local import: only the bulk paths load numpy (not the CLI verify and prove)
        import numpy as np

        # local import: ptau imports numpy; the numpy-free prove path must not
        from .ptau import check_g2_array

        check_g2_array(path, sid, np.frombuffer(bytes(raw), dtype="<u8").reshape(n, 16), what)
        return
    bad = bn254.g2_check_bytes(raw, subgroup=True)
    if bad >= 0:
        raise FormatError(path, f"{what} {bad} is not a canonical G2 point of the subgroup", sid)


# ---------------------------------------------------------------- sections
def open_sections(path):
    """The file's :class:`BinFile`, its sections 1..10 each present once."""
    bf = BinFile(path, MAGIC, 1)
    for sid, lst in bf.sections.items():
        if not 1 <= sid <= 10:
            raise FormatError(bf.path, "unknown section id (not a groth16 zkey?)", sid)
        if len(lst) > 1:
            raise FormatError(bf.path, "appears more than once", sid)
    for sid in range(1, 11):
        bf.unique(sid)
    return bf


def read_groth_header(bf):
    """Sections 1 and 2: the counts and the key's six points (plain ints)."""
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
    q = int.from_bytes(bf.buf[off + 4 : off + 36], "little")
    n8r = struct.unpack_from("<I", bf.buf, off + 36)[0]
    if n8r != 32:
        raise FormatError(bf.path, f"n8r = {n8r}, expected 32", 2)
    r = int.from_bytes(bf.buf[off + 40 : off + 72], "little")
    if q != Q or r != R:
        raise FormatError(bf.path, "primes are not BN254's (only bn128 is supported)", 2)
    n_vars, n_public, domain = struct.unpack_from("<III", bf.buf, off + 72)
    if n_vars < 1 or n_public >= n_vars:
        raise FormatError(bf.path, f"nPublic {n_public} must be < nVars {n_vars}", 2)
    if domain < 2 or domain & (domain - 1) or domain > (1 << 28):
        raise FormatError(bf.path, f"domainSize {domain} is not a power of two in 2..2^28", 2)
    p = off + 84
    raw = bytes(bf.buf[p : p + 64 * 3 + 128 * 3])
    check_g1_bytes(
        bf.path, 2, raw[0:128] + raw[384:448], "verifying-key G1 point"
    )  # alpha1, beta1, delta1
    check_g2_bytes(
        bf.path, 2, raw[128:384] + raw[448:576], "verifying-key G2 point"
    )  # beta2, gamma2, delta2

    hdr = dict(
        n_vars=n_vars,
        n_public=n_public,
        domain_size=domain,
        alpha_1=g1_from_lem(raw[0:64]),
        beta_1=g1_from_lem(raw[64:128]),
        beta_2=g2_from_lem(raw[128:256]),
        gamma_2=g2_from_lem(raw[256:384]),
        delta_1=g1_from_lem(raw[384:448]),
        delta_2=g2_from_lem(raw[448:576]),
    )
    for k in ("alpha_1", "beta_1", "beta_2", "gamma_2", "delta_1", "delta_2"):
        if hdr[k] is None:
            raise FormatError(bf.path, f"verifying-key point {k} is the point at infinity", 2)
    return hdr


def read_ic(bf, n_public):
    """Section 3: the nPublic + 1 IC points, checked, as plain ints."""

    off, size = bf.span(3, n_public + 1, 8)
    raw = bytes(bf.buf[off : off + size])
    check_g1_bytes(bf.path, 3, raw, "IC point")
    return [g1_from_lem(raw[64 * i : 64 * i + 64]) for i in range(n_public + 1)]


def coeff_error(path, entry, i, n_vars, domain):
    """The FormatError for coefficient entry ``i`` (its 44 bytes)."""
    m, c, s = struct.unpack_from("<III", entry, 0)
    if m > 1 or c >= domain or s >= n_vars:
        return FormatError(
            path, f"coefficient {i} out of range (matrix {m}, constraint {c}, signal {s})", 4
        )
    return FormatError(path, f"coefficient {i} has a value >= r", 4)


def read_coeff_span(bf, n_vars, domain):
    """Section 4: (offset of the first entry, number of entries), the size
    and every entry checked (natively: one pass, no copy)."""
    off, size = bf.unique(4)
    if size < 4:
        raise FormatError(bf.path, "too short", 4)
    n = struct.unpack_from("<I", bf.buf, off)[0]
    if size != 4 + COEF_BYTES * n:
        raise FormatError(bf.path, f"size {size} does not hold {n} coefficients of 44 bytes", 4)
    if n:
        # local import: zkats.bn254 loads the native library; only its users pay
        from .. import bn254

        entries = bf.memview(off + 4, COEF_BYTES * n)
        bad = bn254.coeffs_first_bad(entries, domain, n_vars)
        if bad >= 0:
            raise coeff_error(
                bf.path, entries[COEF_BYTES * bad : COEF_BYTES * (bad + 1)], bad, n_vars, domain
            )
    return off + 4, n


def point_spans(bf, n_vars, n_public, domain):
    """Sections 5..9: {sid: (offset, size)}, sizes checked against the counts."""
    return {
        5: bf.span(5, n_vars, 8),
        6: bf.span(6, n_vars, 8),
        7: bf.span(7, n_vars, 16),
        8: bf.span(8, n_vars - n_public - 1, 8),
        9: bf.span(9, domain, 8),
    }


def read_mpc(bf):
    """Section 10: (csHash, [ZkeyContribution]), records and points checked."""
    off, size = bf.unique(10)
    end = off + size
    buf = bf.buf
    if size < 68:
        raise FormatError(bf.path, "too short for csHash and count", 10)
    cs_hash = bytes(buf[off : off + 64])
    n = struct.unpack_from("<I", buf, off + 64)[0]
    pos = off + 68
    rec_min = 64 * 3 + 128 + 64 + 8
    if n * rec_min > size:
        raise FormatError(bf.path, f"{n} contributions do not fit in {size} bytes", 10)

    g1raw, g2raw, recs = [], [], []
    for _ in range(n):
        if pos + rec_min > end:
            raise FormatError(bf.path, "contribution record runs past the section end", 10)
        raw = bytes(buf[pos : pos + 64 * 3 + 128])
        transcript = bytes(buf[pos + 320 : pos + 384])
        typ, plen = struct.unpack_from("<II", buf, pos + 384)
        pos += rec_min
        if pos + plen > end:
            raise FormatError(bf.path, "contribution parameters run past the section end", 10)
        params = bytes(buf[pos : pos + plen])
        pos += plen
        name, iters, bhash = decode_params(params, bf.path, 10)
        if typ not in (0, 1) or (typ == 1 and (iters is None or bhash is None)):
            raise FormatError(
                bf.path, f"bad contribution type {typ} or missing beacon parameters", 10
            )
        g1raw.append(raw[:192])
        g2raw.append(raw[192:320])
        recs.append(
            ZkeyContribution(
                delta_after=g1_from_lem(raw[0:64]),
                g1_s=g1_from_lem(raw[64:128]),
                g1_sx=g1_from_lem(raw[128:192]),
                g2_spx=g2_from_lem(raw[192:320]),
                transcript=transcript,
                type=typ,
                name=name,
                num_iterations_exp=iters,
                beacon_hash=bhash,
            )
        )
    if pos != end:
        raise FormatError(bf.path, f"{end - pos} unexpected bytes after the contributions", 10)
    if recs:
        check_g1_bytes(bf.path, 10, b"".join(g1raw), "contribution point")
        check_g2_bytes(bf.path, 10, b"".join(g2raw), "contribution point")
    return cs_hash, recs


class GrothKeyHeader:
    """What a Groth16 key's header values give (mixed into :class:`ZKeyLayout`
    and :class:`zkats.formats.zkey.ZKey`)."""

    domain_size: int
    alpha_1: object
    beta_2: object
    gamma_2: object
    delta_2: object
    ic: list

    @property
    def power(self):
        return self.domain_size.bit_length() - 1

    def verifying_key(self):
        return VerifyingKey(
            alpha_1=self.alpha_1,
            beta_2=self.beta_2,
            gamma_2=self.gamma_2,
            delta_2=self.delta_2,
            ic=tuple(self.ic),
        )


class ZKeyLayout(GrothKeyHeader):
    """A validated ``.zkey``: header values and small points as plain ints
    (``n_vars``, ``n_public``, ``domain_size``, ``alpha_1``, ``beta_1``,
    ``beta_2``, ``gamma_2``, ``delta_1``, ``delta_2``, ``ic``, ``cs_hash``,
    ``contributions``, ``section_order``, ``path``), the coefficient entries
    at ``coeff_offset`` (``n_coeffs`` of them) and the point sections as
    ``spans`` {sid: (offset, size)} of the read-only map ``_file``."""

    n_vars: int
    n_public: int
    domain_size: int
    alpha_1: tuple
    beta_1: tuple
    beta_2: tuple
    gamma_2: tuple
    delta_1: tuple
    delta_2: tuple
    ic: list
    cs_hash: bytes
    contributions: list
    section_order: list
    path: str
    coeff_offset: int
    n_coeffs: int
    spans: dict[int, tuple[int, int]]
    _file: BinFile

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def section_buffers(self):
        """{"coeffs", "A", "B1", "B2", "C", "H"} -> read-only memoryviews of
        the map (coeffs: the 44-byte entries without their count)."""
        bf = self._file
        out = {"coeffs": bf.memview(self.coeff_offset, COEF_BYTES * self.n_coeffs)}
        for sid, name in POINT_SECTIONS.items():
            out[name] = bf.memview(*self.spans[sid])
        return out


def open_zkey(path):
    """Open and validate a Groth16 ``.zkey`` (see the module docstring)."""
    bf = open_sections(path)
    hdr = read_groth_header(bf)
    nv, npub, dom = hdr["n_vars"], hdr["n_public"], hdr["domain_size"]
    ic = read_ic(bf, npub)
    coeff_off, n_coef = read_coeff_span(bf, nv, dom)
    spans = point_spans(bf, nv, npub, dom)
    cs_hash, contribs = read_mpc(bf)
    return ZKeyLayout(
        ic=ic,
        coeff_offset=coeff_off,
        n_coeffs=n_coef,
        spans=spans,
        cs_hash=cs_hash,
        contributions=contribs,
        section_order=tuple(bf.order),
        path=bf.path,
        _file=bf,
        **hdr,
    )
