"""iden3 ``.wtns`` witness files (version 2), as circom's witness calculator
and snarkjs write them.

Sections (facts from snarkjs' ``wtns_utils.js``): 1 = header (u32 n8 = 32,
prime r in 32 bytes LE, u32 nWitness); 2 = nWitness values, 32 bytes LE
each, standard (non-Montgomery) form.  Reading checks the prime, the
section size against nWitness before touching the values, and that every
value is < r (natively, in one pass).  :func:`read_wtns_buffer` reads
without numpy (the command-line prover's path).
"""

import struct

from ..errors import FormatError, InputError
from ..field import R, ints_to_limbs, limbs_to_ints
from .binfile import BinFile, BinWriter, field_header, limbs_below, read_field_header

MAGIC = b"wtns"
VERSION = 2


def read_wtns_buffer(path):
    """The witness values as a read-only memoryview: nWitness * 32 bytes,
    canonical little-endian limbs, all checked < r.  A view of the file's
    map, or, when the section is not 8-byte aligned (snarkjs' layout puts
    it at an offset that is 4 mod 8), of the one aligned copy the check
    made, so the native code downstream does not copy it again."""
    bf = BinFile(path, MAGIC, VERSION)
    hdr = bf.bytes(1)
    if len(hdr) != 40:
        raise FormatError(bf.path, f"size {len(hdr)}, expected 40", 1)
    read_field_header(bf, hdr, 1)
    (n,) = struct.unpack_from("<I", hdr, 36)
    off, size = bf.span(2, n, 4)
    values = bf.memview(off, size)
    if n:
        # local import: zkats.bn254 loads the native library; only its users pay
        from .. import bn254

        values = bn254.aligned_view(values)
        bad = bn254.fr_first_noncanonical(values)
        if bad >= 0:
            raise FormatError(bf.path, f"witness value {bad} is not < r", 2)
    return values


def read_wtns(path):
    """The witness as a numpy uint64 array of shape (nWitness, 4): canonical
    little-endian limbs (a private copy, not a view of the file)."""
    # local import: only the bulk paths load numpy (not the CLI verify and prove)
    import numpy as np

    values = read_wtns_buffer(path)
    return np.frombuffer(values, dtype="<u8").reshape(-1, 4).astype(np.uint64, copy=True)


def read_wtns_ints(path):
    """The witness as a list of Python ints."""
    return limbs_to_ints(read_wtns(path))


def write_wtns(path, values):
    """Write a witness: a :class:`zkats.circuit.Witness`, a list of ints, or an
    (n, 4) uint64 limb array.  Every value must be canonical (< r)."""
    # local import: only the bulk paths load numpy (not the CLI verify and prove)
    import numpy as np

    values = getattr(values, "values", values)
    if isinstance(values, np.ndarray):
        arr = np.ascontiguousarray(values, dtype="<u8").reshape(-1, 4)
        if arr.shape[0] and not limbs_below(arr).all():
            raise InputError(f"{path}: witness value is not < r")
    else:
        vals = list(values)
        for i, v in enumerate(vals):
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
                raise InputError(f"{path}: witness value {i} is not a canonical field element")
        arr = ints_to_limbs(vals) if vals else np.zeros((0, 4), np.uint64)
    with BinWriter(path, MAGIC, 2, VERSION) as w:
        w.section(1, field_header(), struct.pack("<I", arr.shape[0]))
        w.section(2, arr)
