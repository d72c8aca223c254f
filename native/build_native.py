"""cffi (API mode) builder for zkats._native.

Every ``native/NAME.cdef`` file declares, in cffi's C subset, the part of
``native/NAME.h`` that Python may call; all ``native/*.c`` files are compiled
into one extension module.  The C sources never include Python headers.

Flags:
  * ``-O3`` and, when the compiler and CPU support them, ``-march=native``
    plus ``-DZKATS_USE_ADX`` (mulx/adcx/adox Montgomery multiplication).
    The portable path is always compiled in as well and can be selected at
    run time (``zkats.bn254.set_portable(True)``), so tests cover both.
  * ``ZKATS_NATIVE_PORTABLE=1`` builds without any CPU-specific flag,
    ``ZKATS_NATIVE_PORTABLE=0`` with them.  Unset, a wheel build
    (``pip wheel .``, ``pip install .``, ``python -m build``: setuptools'
    ``bdist_wheel``) is portable, because a wheel is tagged for every
    x86-64 and may be copied to an older CPU; an in-place build (``make``:
    ``pip install -e``) is for this CPU.
  * ``ZKATS_NATIVE_CFLAGS`` / ``ZKATS_NATIVE_LDFLAGS`` append flags (used by
    ``make sanitize`` for AddressSanitizer/UndefinedBehaviorSanitizer).
"""

import glob
import os
import platform
import shlex
import subprocess
import tempfile

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))


def _cpu_has(flag):
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return flag in line.split()
    except OSError:
        pass
    return False


def _compiler_accepts(flags):
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        with open(src, "w") as f:
            f.write("int main(void){return 0;}\n")
        try:
            r = subprocess.run([cc, *flags, src, "-o", os.path.join(d, "t")], capture_output=True)
        except OSError:
            return False
        return r.returncode == 0


def _building_wheel():
    """True inside setuptools' bdist_wheel (not editable_wheel/build_ext)."""
    import sys

    return "bdist_wheel" in sys.argv


def compile_flags():
    flags = [
        "-O3",
        "-std=gnu11",
        "-pthread",
        "-fno-strict-aliasing",
        "-Wall",
        "-Wno-unused-function",
    ]
    env = os.environ.get("ZKATS_NATIVE_PORTABLE")
    portable = _building_wheel() if env in (None, "") else env == "1"
    if not portable and platform.machine() in ("x86_64", "AMD64"):
        if _compiler_accepts(["-march=native"]):
            flags.append("-march=native")
            if _cpu_has("adx") and _cpu_has("bmi2"):
                flags.append("-DZKATS_USE_ADX")
    flags += shlex.split(os.environ.get("ZKATS_NATIVE_CFLAGS", ""))
    return flags


def link_flags():
    return ["-pthread"] + shlex.split(os.environ.get("ZKATS_NATIVE_LDFLAGS", ""))


def _modules():
    return sorted(
        os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(HERE, "*.cdef"))
    )


ffibuilder = FFI()
_cdef = []
for _m in _modules():
    with open(os.path.join(HERE, _m + ".cdef")) as _f:
        _cdef.append(_f.read())
ffibuilder.cdef("\n".join(_cdef))
ffibuilder.set_source(
    "zkats._native",
    "\n".join('#include "%s.h"' % m for m in _modules()),
    sources=sorted(
        os.path.relpath(p, os.path.dirname(HERE)) for p in glob.glob(os.path.join(HERE, "*.c"))
    ),
    include_dirs=[os.path.relpath(HERE, os.path.dirname(HERE))],
    extra_compile_args=compile_flags(),
    extra_link_args=link_flags(),
)

if __name__ == "__main__":
    ffibuilder.compile(tmpdir=os.path.join(os.path.dirname(HERE), "build", "native"), verbose=True)
