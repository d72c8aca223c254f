"""The iden3 binary container shared by ``.r1cs``, ``.wtns``, ``.zkey``, ``.ptau``.

Layout (facts from iden3's binfileutils, used by circom and snarkjs): 4-byte
magic, u32 version, u32 number of sections, then each section as
``u32 id, u64 size, size bytes``; all integers little-endian.  Sections may
appear in any order; readers look them up by id.

:class:`BinFile` memory-maps the file read-only and validates the section
table against the file size before anything is allocated; bulk data is
read as numpy views (``np.frombuffer``), never per element, or as
memoryviews of the map (:meth:`BinFile.span`) on the numpy-free paths (this
module imports numpy only when an array is asked for).
:class:`BinWriter` writes sections and patches their sizes.
"""

import mmap
import os
import struct
import sys

from ..errors import FormatError
from ..field import R


class BinFile:
    """A read-only, memory-mapped iden3 binary file and its section table.

    ``version`` is an int or a collection of accepted versions.  Checked on
    open: magic, version, the section count against the file size, every
    section inside the file, no trailing bytes.  ``sections`` maps
    id -> [(offset, size)]."""

    def __init__(self, path, magic, version=1, max_sections=64):
        self.path = str(path)
        if isinstance(magic, str):
            magic = magic.encode()
        try:
            f = open(path, "rb")
        except OSError as err:
            raise FormatError(self.path, f"cannot open: {err.strerror}") from None
        with f:
            size = os.fstat(f.fileno()).st_size
            if size < 12:
                raise FormatError(
                    self.path,
                    f"too short ({size} bytes) for a {magic.decode(errors='replace')} file",
                )
            self.buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self.size = size
        mg, ver, nsec = struct.unpack_from("<4sII", self.buf, 0)
        if mg != magic:
            raise FormatError(self.path, f"wrong magic {mg!r}, expected {magic!r}")
        accepted = (version,) if isinstance(version, int) else tuple(version)
        if ver not in accepted:
            raise FormatError(
                self.path, f"unsupported version {ver} (expected {' or '.join(map(str, accepted))})"
            )
        self.version = ver
        if nsec > max_sections or 12 + 12 * nsec > size:
            raise FormatError(self.path, f"section count {nsec} does not fit the file size {size}")
        self.sections: dict[int, list[tuple[int, int]]] = {}
        self.order = []
        pos = 12
        for _ in range(nsec):
            if pos + 12 > size:
                raise FormatError(self.path, "truncated section table")
            sid, ssize = struct.unpack_from("<IQ", self.buf, pos)
            pos += 12
            if ssize > size - pos:
                raise FormatError(self.path, f"size {ssize} runs past the end of the file", sid)
            self.sections.setdefault(sid, []).append((pos, ssize))
            self.order.append(sid)
            pos += ssize
        if pos != size:
            raise FormatError(self.path, f"{size - pos} trailing bytes after the last section")

    def unique(self, sid, required=True):
        """(offset, size) of the only section ``sid`` (None if absent and not required)."""
        lst = self.sections.get(sid)
        if not lst:
            if required:
                raise FormatError(self.path, "missing", sid)
            return None
        if len(lst) > 1:
            raise FormatError(self.path, "appears more than once", sid)
        return lst[0]

    def bytes(self, sid):
        """The bytes of section ``sid`` (a copy)."""
        off, size = self.unique(sid)
        return self.buf[off : off + size]

    def view(self, sid):
        """Section ``sid`` as a read-only uint8 numpy view (no copy)."""
        # local import: only the bulk paths load numpy (not the CLI verify and prove)
        import numpy as np

        off, size = self.unique(sid)
        return np.frombuffer(self.buf, dtype=np.uint8, count=size, offset=off)

    def span(self, sid, n, width, expect_size=True):
        """(offset, n * width * 8) of section ``sid`` holding n elements of
        ``width`` uint64 limbs, its size checked (exactly, or at least with
        ``expect_size=False``)."""
        off, size = self.unique(sid)
        need = n * width * 8
        if (expect_size and size != need) or size < need:
            raise FormatError(self.path, f"size {size}, expected {need} ({n} elements)", sid)
        return off, need

    def memview(self, off, size):
        """A read-only memoryview of ``size`` bytes of the map at ``off`` (no copy)."""
        return memoryview(self.buf)[off : off + size]

    def array(self, sid, n, width, expect_size=True):
        """Section ``sid`` as an (n, width) little-endian uint64 view, its size
        checked (exactly, or at least with ``expect_size=False``)."""
        # local import: only the bulk paths load numpy (not the CLI verify and prove)
        import numpy as np

        off, _ = self.span(sid, n, width, expect_size)
        return np.frombuffer(self.buf, dtype="<u8", count=n * width, offset=off).reshape(n, width)


class BinWriter:
    """Writes an iden3 binary file section by section (sizes patched in).
    Used as a context manager, a failed write removes the partial file."""

    def __init__(self, path, magic, n_sections, version=1):
        if isinstance(magic, str):
            magic = magic.encode()
        self.path = str(path)
        self.f = open(path, "wb")
        self.f.write(struct.pack("<4sII", magic, version, n_sections))
        self._start = 0  # offset of the open section's data (0: none open)

    def begin(self, sid):
        self.f.write(struct.pack("<IQ", sid, 0))
        self._start = self.f.tell()

    def write(self, data):
        np = sys.modules.get("numpy")  # an ndarray implies numpy is loaded
        if np is not None and isinstance(data, np.ndarray):
            data = np.ascontiguousarray(data).view(np.uint8).reshape(-1)
        self.f.write(data)

    def end(self):
        end = self.f.tell()
        self.f.seek(self._start - 8)
        self.f.write(struct.pack("<Q", end - self._start))
        self.f.seek(end)
        self._start = 0

    def section(self, sid, *chunks):
        self.begin(sid)
        for c in chunks:
            self.write(c)
        self.end()

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        if exc[0] is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass


# ------------------------------------------------------------ field helpers
def field_header(prime=R, n8=32):
    """u32 n8 followed by the prime in n8 little-endian bytes."""
    return struct.pack("<I", n8) + int(prime).to_bytes(n8, "little")


def read_field_header(bf, data, sid, expect_prime=R):
    """Parse ``n8, prime`` at the start of ``data``; require n8 == 32 and
    prime == r.  Returns the offset after them."""
    if len(data) < 4:
        raise FormatError(bf.path, "too short for the field size", sid)
    (n8,) = struct.unpack_from("<I", data, 0)
    if n8 != 32:
        raise FormatError(bf.path, f"field size {n8} bytes, expected 32 (BN254)", sid)
    if len(data) < 36:
        raise FormatError(bf.path, "too short for the prime", sid)
    prime = int.from_bytes(bytes(data[4:36]), "little")
    if prime != expect_prime:
        raise FormatError(bf.path, f"prime {prime} is not BN254's scalar field r", sid)
    return 36


def limbs_below(arr, modulus=R):
    """Boolean mask: rows of an (n, 4) little-endian uint64 array that are < modulus."""
    # local import: only the bulk paths load numpy (not the CLI verify and prove)
    import numpy as np

    arr = np.asarray(arr).reshape(-1, 4)
    m = [np.uint64((modulus >> (64 * i)) & ((1 << 64) - 1)) for i in range(4)]
    lt = np.zeros(arr.shape[0], dtype=bool)
    eq = np.ones(arr.shape[0], dtype=bool)
    for i in (3, 2, 1, 0):
        col = arr[:, i]
        lt |= eq & (col < m[i])
        eq &= col == m[i]
    return lt


# ------------------------------------------- snarkjs contribution parameters
# (ptau section 7 and zkey section 10 encode them the same way)
def decode_params(params, path, section):
    """Parse a contribution's parameter list as snarkjs writes it (sorted
    type-tagged entries: 1 = name (length-prefixed), 2 = beacon iteration
    exponent, 3 = beacon hash (length-prefixed)).  Returns
    ``(name, iters, beacon_hash)``, each None when absent; FormatError names
    ``path`` and ``section`` on unsorted, unknown or truncated entries."""
    name = iters = bhash = None
    i, last = 0, 0
    try:
        while i < len(params):
            t = params[i]
            i += 1
            if t <= last:
                raise FormatError(path, "contribution parameters not sorted", section)
            last = t
            if t == 1:
                ln = params[i]
                name = params[i + 1 : i + 1 + ln]
                i += 1 + ln
                if len(name) != ln:
                    raise IndexError
            elif t == 2:
                iters = params[i]
                i += 1
            elif t == 3:
                ln = params[i]
                bhash = params[i + 1 : i + 1 + ln]
                i += 1 + ln
                if len(bhash) != ln:
                    raise IndexError
            else:
                raise FormatError(path, f"unknown contribution parameter {t}", section)
    except IndexError:
        raise FormatError(path, "truncated contribution parameters", section) from None
    return name, iters, bhash


def encode_name(name):
    """A contributor name as snarkjs stores it: the first 64 characters, UTF-8."""
    if isinstance(name, bytes):
        try:
            name = name.decode("utf-8")
        except UnicodeDecodeError:
            return name[:255]
    return name[:64].encode("utf-8")[:255]
