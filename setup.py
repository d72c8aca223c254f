# Packaging details that pyproject.toml cannot express declaratively:
# the top-level circuits/ folder is installed as the zkats.circuits package,
# the C extension is built by cffi from native/build_native.py, and the
# native prover executable zkats/zkats-prove (native/bin/zkats_prove.c
# linked with the extension's C sources, the same flags) is built next to it.
import glob
import importlib.util
import os
import time

from setuptools import find_packages, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CompileError, LinkError

packages = ["zkats"] + ["zkats." + p for p in find_packages("zkats")]
packages += ["zkats.circuits"] + ["zkats.circuits." + p for p in find_packages("circuits")]

PROVER = "zkats-prove"
PROVER_MAIN = os.path.join("native", "bin", "zkats_prove.c")


def _native_flags():
    """compile_flags() and link_flags() of native/build_native.py (the
    extension's flags: portable for a wheel, -march=native in place)."""
    spec = importlib.util.spec_from_file_location(
        "_zkats_build_native", os.path.join("native", "build_native.py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.compile_flags(), mod.link_flags()


class BuildExtAndProver(build_ext):
    """build_ext, then the prover executable into the package directory
    (in place for `pip install -e`, else build_lib: the wheel ships it).
    The extension's objects are reused when this run compiled them."""

    def run(self):
        started = time.time()
        super().run()
        try:
            self.build_prover(started)
        except (CompileError, LinkError) as err:
            # the package works without it (`zkats groth16 prove` then proves
            # in Python); the tests require it where the suite runs
            self.warn(f"zkats: the native prover executable was not built: {err}")

    def _target(self):
        base = "." if self.inplace else self.build_lib
        return os.path.join(base, "zkats", PROVER)

    def build_prover(self, started):
        sources = sorted(glob.glob(os.path.join("native", "*.c")))
        inputs = sources + [PROVER_MAIN] + glob.glob(os.path.join("native", "*.h"))
        inputs += [os.path.join("native", "build_native.py"), "setup.py"]
        target = self._target()
        newest = max(os.path.getmtime(p) for p in inputs)
        if not self.force and os.path.exists(target) and os.path.getmtime(target) >= newest:
            return
        cflags, lflags = _native_flags()
        # the extension's objects, when this run compiled them (same flags)
        ext_objs = self.compiler.object_filenames(sources, output_dir=self.build_temp)
        if all(os.path.exists(o) and os.path.getmtime(o) >= started for o in ext_objs):
            objects = ext_objs
        else:
            objects = self.compiler.compile(
                sources,
                output_dir=os.path.join(self.build_temp, "prover"),
                include_dirs=["native"],
                extra_postargs=cflags,
            )
        objects += self.compiler.compile(
            [PROVER_MAIN],
            output_dir=os.path.join(self.build_temp, "prover"),
            include_dirs=["native"],
            extra_postargs=cflags,
        )
        os.makedirs(os.path.dirname(target), exist_ok=True)
        self.compiler.link_executable(
            objects, PROVER, output_dir=os.path.dirname(target), extra_postargs=lflags
        )

    def get_outputs(self):
        extra = [self._target()] if os.path.exists(self._target()) else []
        return super().get_outputs() + extra


setup(
    packages=packages,
    package_dir={"zkats": "zkats", "zkats.circuits": "circuits"},
    package_data={
        "zkats.circuits": ["examples/*.json"],
        "zkats.server": ["static/*"],
        # the compiled contracts `zkats chain` deploys (no compiler at run time)
        "zkats.chain": ["artifacts.json"],
    },
    include_package_data=True,
    cffi_modules=["native/build_native.py:ffibuilder"],
    cmdclass={"build_ext": BuildExtAndProver},
)
