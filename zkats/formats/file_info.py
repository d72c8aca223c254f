"""``zkats info FILE``: what a circom/snarkjs file holds, told by its
contents (magic bytes), not its name."""

import struct

from ..errors import FormatError, InputError
from ..field import R


def _magic(path):
    try:
        with open(path, "rb") as f:
            return f.read(4)
    except IsADirectoryError:
        raise InputError(f"{path}: a directory, not a file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None


def _r1cs(path):
    # local import: each file kind loads only its own reader
    from .r1cs import read_r1cs

    r = read_r1cs(path)
    return {
        "file": path,
        "type": "r1cs (constraint system)",
        "curve": "bn128",
        "wires": r.n_wires,
        "constraints": r.n_constraints,
        "private inputs": r.n_prv_in,
        "public inputs": r.n_pub_in,
        "labels": r.n_labels,
        "outputs": r.n_pub_out,
    }


def _zkey(path):
    # local import: each file kind loads only its own reader
    from .zkey_layout import open_zkey

    z = open_zkey(path)
    return {
        "file": path,
        "type": "zkey (Groth16 proving key)",
        "curve": "bn128",
        "wires": z.n_vars,
        "public signals": z.n_public,
        "domain size": z.domain_size,
        "power": z.power,
        "coefficients": z.n_coeffs,
        "contributions": len(z.contributions),
        "circuit hash": z.cs_hash.hex(),
    }


def _ptau(path):
    # local import: each file kind loads only its own reader
    from .ptau import read_ptau

    p = read_ptau(path, check="lazy")
    return {
        "file": path,
        "type": "ptau (powers of tau)",
        "curve": "bn128",
        "power": p.power,
        "ceremony power": p.ceremony_power,
        "contributions": len(p.contributions),
        "prepared for phase 2": bool(p.prepared),
    }


def _wtns(path):
    # local import: each file kind loads only its own reader
    from .wtns import read_wtns_buffer

    w = read_wtns_buffer(path)
    return {"file": path, "type": "wtns (witness)", "curve": "bn128", "values": len(w) // 32}


def _wasm(path):
    # local import: each file kind loads only its own reader
    from ..circom.wasm_witness import WitnessCalculator

    wc = WitnessCalculator(path, log=lambda s: None)
    return {
        "file": path,
        "type": "wasm (circom witness calculator)",
        "circom version": wc.version,
        "curve": "bn128" if wc.prime == R else f"prime {wc.prime}",
        "witness values": wc.witness_size,
        "input values": wc.input_size,
    }


def _sym(path):
    # local import: each file kind loads only its own reader
    from ..circom.sym import read_sym

    names = read_sym(path)
    return {"file": path, "type": "sym (circom signal names)", "named wires": len(names) - 1}


def file_info(path):
    """{field: value} describing ``path``; InputError for an unknown kind."""
    path = str(path)
    magic = _magic(path)
    kinds = {b"r1cs": _r1cs, b"zkey": _zkey, b"ptau": _ptau, b"wtns": _wtns, b"\0asm": _wasm}
    fn = kinds.get(magic)
    if fn is None and path.endswith(".sym"):
        fn = _sym
    if fn is None:
        raise InputError(
            f"{path}: not an r1cs, zkey, ptau, wtns, wasm or sym file (starts with {magic!r})"
        )
    if magic in (b"r1cs", b"zkey", b"ptau", b"wtns"):
        with open(path, "rb") as f:
            head = f.read(12)
        if len(head) < 12:
            raise FormatError(path, "truncated header")
        version, n_sections = struct.unpack_from("<II", head, 4)
        d = fn(path)
        d["format version"] = version
        d["sections"] = n_sections
        return d
    return fn(path)
