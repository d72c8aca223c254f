#!/usr/bin/env bash
# Build rapidsnark's prover (the third column of bench/groth16.py) from a
# source checkout, with its x86-64 assembly field arithmetic.
#
#   bench/build_rapidsnark.sh SRC_DIR [OUT_DIR]
#
# SRC_DIR: a rapidsnark checkout with its depends/ffiasm and
# depends/circom_runtime submodules filled in (no package registry ships
# rapidsnark; its build/fr.asm and build/fq.asm are generated files in its
# repository).  Needs g++, nasm and libgmp-dev, nlohmann-json3-dev (Debian:
# apt-get install g++ nasm libgmp-dev nlohmann-json3-dev).  Writes
# OUT_DIR/rapidsnark (default: SRC_DIR/out); put OUT_DIR on PATH for the
# benchmark.  About a minute on 2 cores.
#
# One local fix is applied to the copy being built: its release sizes the
# public-signal buffer as 82 bytes per signal + 4, too small for the "[\n]\n"
# and NUL of a circuit without public signals (the circomlib EdDSA verifier):
# it then fails with "Buffer insufficient".  The fix only changes that size.
set -euo pipefail
src=$(cd "${1:?usage: $0 SRC_DIR [OUT_DIR]}" && pwd)
out=${2:-$src/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for f in src/prover.cpp src/main_prover.cpp build/fr.asm build/fq.asm depends/ffiasm/c/alt_bn128.cpp; do
    [ -f "$src/$f" ] || { echo "$0: $src/$f missing (submodules not filled in?)" >&2; exit 1; }
done
for tool in g++ nasm; do
    command -v $tool >/dev/null || { echo "$0: $tool not found" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src/src/prover.cpp" "$work/prover.cpp"
sed -i 's/return count \* 82 + 4;/return count * 82 + 8;/' "$work/prover.cpp"
nasm -felf64 -DPIC "$src/build/fq.asm" -o "$work/fq_asm.o"
nasm -felf64 -DPIC "$src/build/fr.asm" -o "$work/fr_asm.o"
flags=(-O3 -std=c++17 -fopenmp -DUSE_ASM -DARCH_X86_64 -DUSE_OPENMP
    -I"$src/src" -I"$src/build" -I"$src/depends/ffiasm/c" -w)
objs=()
for f in "$work/prover.cpp" "$src"/src/{main_prover,binfile_utils,zkey_utils,wtns_utils,logger,fileloader}.cpp \
    "$src"/depends/ffiasm/c/{misc,naf,splitparstr,alt_bn128}.cpp "$src"/build/{fr,fq}.cpp; do
    o="$work/$(basename "$f" .cpp).o"
    g++ "${flags[@]}" -c "$f" -o "$o"
    objs+=("$o")
done
g++ -fopenmp -o "$out/rapidsnark" "${objs[@]}" "$work/fr_asm.o" "$work/fq_asm.o" -lgmp -lpthread \
    -Wl,-z,noexecstack
echo "$out/rapidsnark"
