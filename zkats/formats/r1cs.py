"""iden3 ``.r1cs`` files (version 1), as circom writes and snarkjs reads them.

Sections (facts from the iden3 r1csfile reader and circom's writer):

== ============ =============================================================
id name         content
== ============ =============================================================
1  header       u32 n8 (32), prime (n8 bytes LE), u32 nWires, u32 nPubOut,
                u32 nPubIn, u32 nPrvIn, u64 nLabels, u32 mConstraints
2  constraints  per constraint, for A, B, C: u32 nTerms, then nTerms times
                (u32 wire, coefficient in n8 bytes LE, standard form)
3  wire2label   nWires times u64 label id
4, 5            PLONK custom gates (rejected: zkats proves Groth16 only)
== ============ =============================================================

Reading is strict: the header is checked before any allocation (counts
against section sizes), every term's wire is < nWires, every coefficient
is < r, labels are < nLabels.  Bulk data goes through numpy; the only
per-record Python loop walks the 3 * mConstraints term counts.
"""

import struct
from array import array

import numpy as np

from ..errors import FormatError
from ..field import R, limbs_to_ints
from ..r1cs import R1CS, SparseMatrix
from .binfile import BinFile, BinWriter, field_header, limbs_below, read_field_header

MAGIC = b"r1cs"
VERSION = 1
HEADER_SIZE = 64
TERM = np.dtype([("w", "<u4"), ("c", "<u8", (4,))])  # 36 bytes, packed
_CHUNK = 1 << 16


def read_r1cs(path):
    """Read a ``.r1cs`` file into a :class:`zkats.r1cs.R1CS`."""
    bf = BinFile(path, MAGIC, VERSION)
    for sid in (4, 5):
        if bf.sections.get(sid):
            raise FormatError(bf.path, "PLONK custom gates are not supported", sid)
    hdr = bf.bytes(1)
    if len(hdr) != HEADER_SIZE:
        raise FormatError(bf.path, f"size {len(hdr)}, expected {HEADER_SIZE}", 1)
    read_field_header(bf, hdr, 1)
    n_wires, n_out, n_pub, n_prv, n_labels, m = struct.unpack_from("<IIIIQI", hdr, 36)
    if n_wires < 1 or 1 + n_out + n_pub + n_prv > n_wires:
        raise FormatError(
            bf.path,
            f"{n_out} outputs + {n_pub} public + {n_prv} private "
            f"inputs do not fit in {n_wires} wires",
            1,
        )
    if n_labels < n_wires:
        raise FormatError(bf.path, f"nLabels {n_labels} < nWires {n_wires}", 1)

    off, size = bf.unique(2)
    if size < 12 * m:
        raise FormatError(bf.path, f"size {size} too small for {m} constraints", 2)
    counts, hdr_pos = _walk_terms(bf, off, size, m)
    ms, file_terms = _read_terms(bf, n_wires, m, counts, hdr_pos)
    w2l = None
    sec3 = bf.unique(3, required=False)
    if sec3 is not None:
        w2l = np.array(bf.array(3, n_wires, 1).reshape(-1), dtype=np.int64)
        if n_wires and (w2l.astype(np.uint64) >= np.uint64(n_labels)).any():
            raise FormatError(bf.path, f"a label id is >= nLabels {n_labels}", 3)
    return R1CS(
        n_wires=n_wires,
        n_pub_out=n_out,
        n_pub_in=n_pub,
        n_prv_in=n_prv,
        n_constraints=m,
        A=ms[0],
        B=ms[1],
        C=ms[2],
        n_labels=n_labels,
        wire_to_label=w2l,
        ab_file_terms=file_terms,
    )


def _walk_terms(bf, off, size, m):
    """Positions and counts of the 3*m linear combinations of section 2."""
    buf = bf.buf
    end = off + size
    unpack = struct.Struct("<I").unpack_from
    pos = off
    hdr_pos = array("q")
    counts = array("q")
    append_p, append_c = hdr_pos.append, counts.append
    for _ in range(3 * m):
        if pos + 4 > end:
            raise FormatError(bf.path, "truncated constraint", 2)
        (n,) = unpack(buf, pos)
        append_p(pos)
        append_c(n)
        pos += 4 + 36 * n
        if pos > end:
            raise FormatError(
                bf.path, f"a linear combination of {n} terms runs past the section end", 2
            )
    if pos != end:
        raise FormatError(bf.path, f"{end - pos} bytes after the {m} constraints", 2)
    return (
        np.frombuffer(counts, dtype=np.int64) if m else np.zeros(0, np.int64),
        np.frombuffer(hdr_pos, dtype=np.int64) if m else np.zeros(0, np.int64),
    )


def _read_terms(bf, n_wires, m, counts, hdr_pos):
    """The three SparseMatrix of section 2, decoded chunk by chunk (bounded
    temporary memory): per chunk, drop the u32 term counts and view the
    remaining bytes as packed 36-byte (wire, coefficient) records.  Also
    returns the A and B terms exactly as the file lists them (see
    :attr:`zkats.r1cs.R1CS.ab_file_terms`), or None when the file already
    lists them normalized (sorted, no zero, no repeated wire)."""
    parts: list[list] = [[], [], []]
    four = np.arange(4, dtype=np.int64)
    step = 3 * _CHUNK
    for s in range(0, 3 * m, step):
        e = min(3 * m, s + step)
        cnt = counts[s:e]
        start = int(hdr_pos[s])
        stop = int(hdr_pos[e - 1]) + 4 + 36 * int(cnt[-1])
        raw = np.frombuffer(bf.buf, dtype=np.uint8, count=stop - start, offset=start)
        keep = np.ones(stop - start, dtype=bool)
        keep[((hdr_pos[s:e] - start)[:, None] + four).ravel()] = False
        recs = raw[keep].view(TERM)
        wires = recs["w"].astype(np.int64)
        if wires.shape[0] and int(wires.max()) >= n_wires:
            bad = int(wires[np.flatnonzero(wires >= n_wires)[0]])
            raise FormatError(bf.path, f"a term refers to wire {bad} >= nWires {n_wires}", 2)
        coeffs = np.array(recs["c"], dtype=np.uint64)
        if coeffs.shape[0] and not limbs_below(coeffs).all():
            raise FormatError(bf.path, "a coefficient is not < r", 2)
        lc = np.repeat(np.arange(s, e, dtype=np.int64), cnt)
        for k in range(3):
            sel = (lc % 3) == k
            parts[k].append((lc[sel] // 3, wires[sel], coeffs[sel]))
    ms: list = []
    raw_ab: list = []
    for k in range(3):
        if parts[k]:
            rows = np.concatenate([p[0] for p in parts[k]])
            cols = np.concatenate([p[1] for p in parts[k]])
            coeffs = np.concatenate([p[2] for p in parts[k]])
        else:
            rows = cols = np.zeros(0, np.int64)
            coeffs = np.zeros((0, 4), np.uint64)
        parts[k] = []  # release the chunks
        ms.append(_to_sparse(bf, rows, cols, coeffs))
        if k < 2:
            raw_ab.append(SparseMatrix(rows, cols, coeffs))
    same = all(
        r.nnz == s.nnz and np.array_equal(r.rows, s.rows) and np.array_equal(r.cols, s.cols)
        for r, s in zip(raw_ab, ms)
    )
    return ms, (None if same else tuple(raw_ab))


def _to_sparse(bf, rows, cols, coeffs):
    nz = coeffs.any(axis=1)
    if not nz.all():
        rows, cols, coeffs = rows[nz], cols[nz], coeffs[nz]
    if rows.shape[0] > 1:
        unsorted = (rows[1:] < rows[:-1]) | ((rows[1:] == rows[:-1]) & (cols[1:] < cols[:-1]))
        if unsorted.any():
            order = np.lexsort((cols, rows))
            rows, cols, coeffs = rows[order], cols[order], coeffs[order]
        dup = (rows[1:] == rows[:-1]) & (cols[1:] == cols[:-1])
        if dup.any():  # a wire twice in one combination: sum (rare; Python ints)
            vals = limbs_to_ints(coeffs)
            return SparseMatrix.from_triples(zip(rows.tolist(), cols.tolist(), vals))
    return SparseMatrix(
        rows.astype(np.int64), cols.astype(np.int64), np.ascontiguousarray(coeffs, dtype=np.uint64)
    )


def write_r1cs(path, r1cs):
    """Write a :class:`zkats.r1cs.R1CS` (or anything with ``.r1cs``) as ``.r1cs`` v1."""
    r1cs = getattr(r1cs, "r1cs", r1cs)
    m = r1cs.n_constraints
    n_labels = r1cs.n_labels if r1cs.n_labels is not None else r1cs.n_wires
    header = field_header() + struct.pack(
        "<IIIIQI", r1cs.n_wires, r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in, n_labels, m
    )
    mats = (r1cs.A, r1cs.B, r1cs.C)
    w2l = (
        np.asarray(r1cs.wire_to_label, dtype="<u8")
        if r1cs.wire_to_label is not None
        else np.arange(r1cs.n_wires, dtype="<u8")
    )
    with BinWriter(path, MAGIC, 3, VERSION) as w:
        w.section(1, header)
        w.begin(2)
        for s in range(0, m, _CHUNK):
            e = min(m, s + _CHUNK)
            lcs, cols, vals = [], [], []
            for k, M in enumerate(mats):
                lo = int(np.searchsorted(M.rows, s, "left"))
                hi = int(np.searchsorted(M.rows, e, "left"))
                lcs.append(M.rows[lo:hi].astype(np.int64) * 3 + k)
                cols.append(M.cols[lo:hi].astype(np.int64))
                vals.append(np.asarray(M.coeffs[lo:hi], np.uint64).reshape(-1, 4))
            lc, col, val = np.concatenate(lcs), np.concatenate(cols), np.concatenate(vals)
            order = np.lexsort((col, lc))
            rec = np.empty(order.shape[0], dtype=TERM)
            rec["w"] = col[order]
            rec["c"] = val[order]
            cnt = np.bincount(lc - 3 * s, minlength=3 * (e - s)).astype(np.int64)
            before = np.cumsum(cnt) - cnt
            hdr = cnt.astype("<u4").view(np.uint8)
            flat = rec.view(np.uint8).reshape(-1)
            w.write(np.insert(flat, np.repeat(36 * before, 4), hdr))
        w.end()
        w.section(3, w2l)


def r1cs_unsatisfied(r1cs, values, first_only=True, chunk=1 << 15):
    """Indices of the constraints of ``r1cs`` that ``values`` (Python ints,
    one per wire) do not satisfy; chunked numpy object arithmetic."""
    n = r1cs.n_constraints
    wobj = np.empty(len(values), dtype=object)
    wobj[:] = [int(v) for v in values]
    mats = []
    for M in (r1cs.A, r1cs.B, r1cs.C):
        cobj = np.empty(M.nnz, dtype=object)
        cobj[:] = limbs_to_ints(M.coeffs) if M.nnz else []
        mats.append((M.rows, M.cols, cobj))
    bad = []
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        ev = []
        for rows, cols, cobj in mats:
            out = np.zeros(e - s, dtype=object)
            lo = int(np.searchsorted(rows, s, "left"))
            hi = int(np.searchsorted(rows, e, "left"))
            if hi > lo:
                r = rows[lo:hi]
                prod = cobj[lo:hi] * wobj[cols[lo:hi]]
                st = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
                out[r[st] - s] = np.add.reduceat(prod, st)
            ev.append(out)
        diff = (ev[0] * ev[1] - ev[2]) % R
        nz = np.flatnonzero(diff != 0)
        if nz.shape[0]:
            bad.extend((nz + s).tolist())
            if first_only:
                return bad[:1]
    return bad
