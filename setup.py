# Packaging details that pyproject.toml cannot express declaratively:
# the top-level circuits/ folder is installed as the zkats.circuits package,
# and the C extension is built by cffi from native/build_native.py.
from setuptools import find_packages, setup

packages = ["zkats"] + ["zkats." + p for p in find_packages("zkats")]
packages += ["zkats.circuits"] + ["zkats.circuits." + p for p in find_packages("circuits")]

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
)
