"""Element-wise arithmetic on bulk Fr arrays (native/frvec.c, threaded):
numpy uint64 (n, 4) arrays in Montgomery form, validated as
:mod:`zkats.bn254.fields` describes.  Results are new arrays unless ``out=``
says otherwise; ``out`` may be one of the inputs."""

from ..errors import InputError
from ._lib import lib
from .buffers import _threads, np
from .fields import _fr_mont_one, _fr_p, _fr_vec


def _out_like(a, out, what="out"):
    if out is None:
        return np.empty_like(a)
    if (
        not isinstance(out, np.ndarray)
        or out.dtype != np.uint64
        or not out.flags.c_contiguous
        or not out.flags.writeable
        or out.size != a.size
    ):
        raise InputError(
            f"{what}: expected a writable C-contiguous uint64 array of {a.shape[0]} elements"
        )
    return out.reshape(a.shape)


def _binary(fn, a, b, threads, out):
    a = _fr_vec(a, "a")
    b = _fr_vec(b, "b")
    if a.shape != b.shape:
        raise InputError(f"length mismatch: {a.shape[0]} vs {b.shape[0]}")
    o = _out_like(a, out)
    fn(_fr_p(o), _fr_p(a), _fr_p(b), a.shape[0], _threads(threads))
    return o


def fr_mul_array(a, b, threads=None, out=None):
    """out[i] = a[i] * b[i] (Montgomery form)."""
    return _binary(lib.frvec_mul, a, b, threads, out)


def fr_add_array(a, b, threads=None, out=None):
    """out[i] = a[i] + b[i]."""
    return _binary(lib.frvec_add, a, b, threads, out)


def fr_sub_array(a, b, threads=None, out=None):
    """out[i] = a[i] - b[i]."""
    return _binary(lib.frvec_sub, a, b, threads, out)


def fr_scale_array(a, k, threads=None, out=None):
    """out[i] = a[i] * k for an int k (mod r)."""
    a = _fr_vec(a, "a")
    o = _out_like(a, out)
    km = _fr_mont_one(k, "scale factor")
    lib.frvec_scale(_fr_p(o), _fr_p(a), _fr_p(km), a.shape[0], _threads(threads))
    return o


def fr_mul_powers_array(a, s, start=1, threads=None, out=None):
    """out[i] = a[i] * start * s^i for ints s, start (mod r)."""
    a = _fr_vec(a, "a")
    o = _out_like(a, out)
    sm = _fr_mont_one(s, "power base")
    st = _fr_mont_one(start, "start factor")
    lib.frvec_mul_powers(_fr_p(o), _fr_p(a), _fr_p(st), _fr_p(sm), a.shape[0], _threads(threads))
    return o
