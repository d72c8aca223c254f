"""Parsers under fire: every reader of outside bytes (.r1cs, .wtns, .zkey,
.ptau, snarkjs verification key / proof / public JSON, input.json, batch
files) on truncated, corrupted, oversized-count, wrong-magic/version/prime,
non-canonical and off-curve inputs.  Each must parse or raise a ZkatsError
subclass: never another exception, a hang (hypothesis deadline) or an
allocation sized by an unchecked header (RLIMIT_AS-limited subprocess).
The CLI prints one line on stderr and exits 1, without a traceback.

Sizes: ZKATS_FUZZ_EXAMPLES hypothesis examples per reader (default 100;
``make fuzz`` runs 3000).  The number of inputs tried is printed with -s
and written to the terminal summary."""

import json
import os
import random
import struct
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from zkats.errors import ZkatsError
from zkats.field import Q, R

N_EXAMPLES = int(os.environ.get("ZKATS_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=N_EXAMPLES,
    deadline=5000,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TRIED = {}


def _count(name, n=1):
    TRIED[name] = TRIED.get(name, 0) + n


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if TRIED:
        total = sum(TRIED.values())
        print(
            f"\nparser fuzzing: {total} inputs tried: "
            + ", ".join(f"{k} {v}" for k, v in sorted(TRIED.items()))
        )


# ------------------------------------------------------------------ seeds
@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """Valid files of every kind for the multiplier circuit."""
    from zkats.circuit import compile_circuit, load_circuit
    from zkats.formats import ptau, snarkjs_json as sj
    from zkats.formats.r1cs import write_r1cs
    from zkats.formats.wtns import write_wtns
    from zkats.formats.zkey import read_zkey
    from zkats.groth16 import ceremony as cer, generator, prover
    from zkats.venue import batch as B

    d = tmp_path_factory.mktemp("seeds")
    cc = compile_circuit(load_circuit("multiplier"))
    w = cc.solve({"a": 3, "b": 5})
    write_r1cs(d / "m.r1cs", cc.r1cs)
    write_wtns(d / "m.wtns", w.values)
    ptau.write_ptau(d / "m.ptau", cer.prepare_phase2(cer.new_accumulator(3)))
    generator.setup(d / "m.r1cs", d / "m.ptau", d / "m.zkey")
    zk = read_zkey(d / "m.zkey")
    proof, public = prover.prove(zk, w.values)
    sj.write_verification_key(d / "vk.json", zk.verifying_key())
    sj.write_proof(d / "proof.json", proof)
    sj.write_public(d / "public.json", public)
    (d / "input.json").write_text(json.dumps({"a": 3, "b": "5"}))
    bundle = B.ProofBundle(circuit="deposit", public=(1, 2, 3, 4, 5, 6), proof=proof)
    (d / "batch.json").write_text(B.dumps(B.Batch(items=(B.Item("deposit", {"deposit": bundle}),))))
    return d


def _readers():
    from zkats.formats import ptau, snarkjs_json as sj
    from zkats.formats.r1cs import read_r1cs
    from zkats.formats.wtns import read_wtns
    from zkats.formats.zkey import read_zkey
    from zkats.venue import batch as B

    return {
        "m.r1cs": read_r1cs,
        "m.wtns": read_wtns,
        "m.zkey": lambda p: read_zkey(p, check="full"),
        "m.ptau": lambda p: ptau.read_ptau(p, check="full"),
        "vk.json": sj.read_verification_key,
        "proof.json": sj.read_proof,
        "public.json": sj.read_public,
        "batch.json": B.load,
        "input.json": _read_input,
    }


def _read_input(p):
    from zkats.circuit import compile_circuit, load_circuit
    from zkats.formats.jsonio import load_file

    data = load_file(p)  # as the CLI reads input.json
    return compile_circuit(load_circuit("multiplier")).solve(data, source=str(p))


def _must_be_clean(reader, path):
    """Parse or raise a ZkatsError; anything else fails the test."""
    try:
        reader(path)
        return "ok"
    except ZkatsError as err:
        msg = str(err)
        assert msg and "\n" not in msg.strip(), msg
        return "error"


BINARY = ["m.r1cs", "m.wtns", "m.zkey", "m.ptau"]
JSONS = ["vk.json", "proof.json", "public.json", "batch.json", "input.json"]
ALL = BINARY + JSONS
EXTREMES = [0, 1, 2, 0xFF, 2**31 - 1, 2**31, 2**32 - 1]
EXTREMES64 = [2**32, 2**40, 2**63, 2**64 - 1]


# ---------------------------------------------------------- byte mutations
@pytest.mark.parametrize("name", ALL)
def test_truncated_and_flipped(name, seeds, tmp_path):
    reader = _readers()[name]
    data = (seeds / name).read_bytes()
    assert _must_be_clean(reader, seeds / name) == "ok"

    @FUZZ
    @given(st.data())
    def run(dt):
        b = bytearray(data)
        kind = dt.draw(st.sampled_from(["truncate", "flip", "u32", "u64", "splice", "append"]))
        head = min(len(b), 512)
        if kind == "truncate":
            b = b[: dt.draw(st.integers(0, len(b) - 1))]
        elif kind == "flip":
            for _ in range(dt.draw(st.integers(1, 4))):
                i = dt.draw(
                    st.integers(0, len(b) - 1)
                    if dt.draw(st.booleans())
                    else st.integers(0, head - 1)
                )
                b[i] = dt.draw(st.integers(0, 255))
        elif kind in ("u32", "u64"):
            width = 4 if kind == "u32" else 8
            pos = dt.draw(st.integers(0, max(0, head - width)))
            val = dt.draw(st.sampled_from(EXTREMES + (EXTREMES64 if width == 8 else [])))
            b[pos : pos + width] = val.to_bytes(width, "little")
        elif kind == "splice":
            i = dt.draw(st.integers(0, len(b)))
            b[i:i] = dt.draw(st.binary(min_size=1, max_size=64))
        else:
            b += dt.draw(st.binary(min_size=1, max_size=64))
        p = tmp_path / ("f_" + name)
        p.write_bytes(bytes(b))
        _count(name)
        _must_be_clean(reader, p)

    run()


# ------------------------------------------------------- targeted binaries
def _sections(data):
    """[(id, offset of size field, payload offset, size)] of an iden3 container."""
    n = struct.unpack_from("<I", data, 8)[0]
    out, pos = [], 12
    for _ in range(n):
        sid, size = struct.unpack_from("<IQ", data, pos)
        out.append((sid, pos + 4, pos + 12, size))
        pos += 12 + size
    return out


@pytest.mark.parametrize("name", BINARY)
def test_wrong_magic_version_and_prime(name, seeds, tmp_path):
    reader = _readers()[name]
    data = (seeds / name).read_bytes()
    cases = {
        "magic": b"XXXX" + data[4:],
        "version": data[:4] + struct.pack("<I", 99) + data[8:],
        "zero sections": data[:8] + struct.pack("<I", 0) + data[12:],
        "empty": b"",
        "header only": data[:12],
    }
    rb, qb = R.to_bytes(32, "little"), Q.to_bytes(32, "little")
    for other, label in ((qb, "q"), ((R + 2).to_bytes(32, "little"), "r+2")):
        if rb in data:
            cases["prime " + label] = data.replace(rb, other, 1)
    for label, b in cases.items():
        p = tmp_path / f"{label.replace(' ', '_')}_{name}"
        p.write_bytes(b)
        _count(name)
        with pytest.raises(ZkatsError) as ei:
            reader(p)
        assert str(ei.value), label


@pytest.mark.parametrize("name", BINARY)
def test_section_sizes_beyond_the_file(name, seeds, tmp_path):
    reader = _readers()[name]
    data = (seeds / name).read_bytes()
    for sid, size_at, _start, size in _sections(data):
        for val in (size + 1, size + 32, 2**40, 2**63, 2**64 - 1):
            b = bytearray(data)
            b[size_at : size_at + 8] = struct.pack("<Q", val)
            p = tmp_path / f"s{sid}_{name}"
            p.write_bytes(bytes(b))
            _count(name)
            with pytest.raises(ZkatsError):
                reader(p)


def _huge_count_file(seeds, tmp_path, name):
    """The file with every u32 in its first header section set to 2^32 - 1."""
    data = bytearray((seeds / name).read_bytes())
    secs = _sections(bytes(data))
    sid, _, start, size = next(s for s in secs if s[0] == (1 if name != "m.zkey" else 2))
    out = []
    for off in range(start, start + size - 3, 4):
        b = bytearray(data)
        b[off : off + 4] = struct.pack("<I", 2**32 - 1)
        p = tmp_path / f"huge{off}_{name}"
        p.write_bytes(bytes(b))
        out.append(p)
    return out


@pytest.mark.parametrize("name", BINARY)
def test_huge_header_counts_fail_fast_under_a_memory_limit(name, seeds, tmp_path):
    """Each u32 of the header section set to 2^32 - 1, read in a subprocess
    limited to 1 GiB of address space: a ZkatsError, never MemoryError."""
    paths = _huge_count_file(seeds, tmp_path, name)
    reader = {
        "m.r1cs": "from zkats.formats.r1cs import read_r1cs as f",
        "m.wtns": "from zkats.formats.wtns import read_wtns as f",
        "m.zkey": "from zkats.formats.zkey import read_zkey as g; f = lambda p: g(p, 'full')",
        "m.ptau": "from zkats.formats.ptau import read_ptau as f",
    }[name]
    code = f"""
import resource, sys
import numpy
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
{reader}
from zkats.errors import ZkatsError
bad = []
for p in sys.argv[1:]:
    try:
        f(p)
    except ZkatsError:
        pass
    except BaseException as e:
        bad.append(p + ': ' + type(e).__name__ + ': ' + str(e)[:200])
print('\\n'.join(bad))
sys.exit(1 if bad else 0)
"""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    r = subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    _count(name, len(paths))
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]


def test_wtns_non_canonical_value(seeds, tmp_path):
    from zkats.formats.wtns import read_wtns

    data = bytearray((seeds / "m.wtns").read_bytes())
    sid, _, start, size = [s for s in _sections(bytes(data)) if s[0] == 2][0]
    for v in (R, R + 1, 2**256 - 1):
        b = bytearray(data)
        b[start + 32 : start + 64] = v.to_bytes(32, "little")
        p = tmp_path / "nc.wtns"
        p.write_bytes(bytes(b))
        _count("m.wtns")
        with pytest.raises(ZkatsError, match="not < r"):
            read_wtns(p)


@pytest.mark.parametrize("name", ["m.zkey", "m.ptau"])
def test_off_curve_points(name, seeds, tmp_path):
    """Bump one coordinate of a point in every point section: rejected."""
    reader = _readers()[name]
    data = (seeds / name).read_bytes()
    point_sections = {"m.zkey": (3, 5, 6, 7, 8, 9), "m.ptau": (2, 3, 4, 5, 6, 12, 13, 14, 15)}[name]
    hit = 0
    for sid, _, start, size in _sections(data):
        if sid not in point_sections or size < 64:
            continue
        b = bytearray(data)
        b[start + 40] ^= 1  # inside the first point's second coordinate
        p = tmp_path / f"oc{sid}_{name}"
        p.write_bytes(bytes(b))
        _count(name)
        hit += 1
        with pytest.raises(ZkatsError):
            reader(p)
    assert hit >= 4


# ------------------------------------------------------------- JSON trees
def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, path + (i,))
    yield path


def _set(node, path, value):
    if not path:
        return value
    node = json.loads(json.dumps(node))
    cur = node
    for k in path[:-1]:
        cur = cur[k]
    if value is _DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return node


_DELETE = object()
WEIRD = st.one_of(
    st.sampled_from(
        [
            str(R),
            str(R - 1),
            str(Q),
            str(Q + 1),
            "-1",
            "0x10",
            "1e5",
            " 7",
            "",
            "nan",
            "١٢",
            str(2**256),
            "0" * 400 + "1",
            None,
            True,
            False,
            1.5,
            -3,
            R,
            10**80,
            [],
            {},
            [[["1"]]],
            "bn128",
            "groth16",
            "plonk",
        ]
    ),
    st.integers(),
    st.text(max_size=20),
    st.lists(st.integers(0, 10), max_size=4),
)


@pytest.mark.parametrize("name", JSONS)
def test_json_trees(name, seeds, tmp_path):
    reader = _readers()[name]
    doc = json.loads((seeds / name).read_text())
    paths = list(_leaves(doc))

    @FUZZ
    @given(st.data())
    def run(dt):
        d = doc
        for _ in range(dt.draw(st.integers(1, 3))):
            path = dt.draw(st.sampled_from(paths))
            try:
                if path and dt.draw(st.integers(0, 5)) == 0:
                    d = _set(d, path, _DELETE)
                elif path and isinstance(path[-1], str) and dt.draw(st.integers(0, 6)) == 0:
                    d = _set(d, path[:-1] + (path[-1] + "_x",), 1)
                else:
                    d = _set(d, path, dt.draw(WEIRD))
            except (KeyError, IndexError, TypeError):
                continue
        p = tmp_path / ("t_" + name)
        p.write_text(json.dumps(d))
        _count(name)
        _must_be_clean(reader, p)

    run()


def test_json_off_curve_and_non_canonical(seeds, tmp_path):
    from zkats.formats import snarkjs_json as sj

    vk = json.loads((seeds / "vk.json").read_text())
    pr = json.loads((seeds / "proof.json").read_text())
    bad = []
    for key in ("vk_alpha_1", "IC"):
        v = json.loads(json.dumps(vk))
        pt = v[key] if key != "IC" else v[key][0]
        pt[1] = str(int(pt[1]) + 1)
        bad.append(("vk.json", v, sj.read_verification_key))
    for key, co in (("pi_a", 0), ("pi_c", 1)):
        for val in (lambda x: x + 1, lambda x: x + Q):
            p = json.loads(json.dumps(pr))
            p[key][co] = str(val(int(p[key][co])))
            bad.append(("proof.json", p, sj.read_proof))
    p = json.loads(json.dumps(pr))
    p["pi_b"][0][0] = str(int(p["pi_b"][0][0]) + 1)  # off the twist
    bad.append(("proof.json", p, sj.read_proof))
    bad.append(("public.json", [str(R), "3"], sj.read_public))
    bad.append(("public.json", ["-1"], sj.read_public))
    for i, (name, doc, reader) in enumerate(bad):
        path = tmp_path / f"b{i}_{name}"
        path.write_text(json.dumps(doc))
        _count(name)
        with pytest.raises(ZkatsError):
            reader(path)


def test_deeply_nested_json(seeds, tmp_path):
    for name in JSONS:
        p = tmp_path / ("deep_" + name)
        p.write_text("[" * 100000 + "]" * 100000)
        _count(name)
        _must_be_clean(_readers()[name], p)


# -------------------------------------------------------------------- CLI
def _cli(*args):
    r = subprocess.run(
        [sys.executable, "-m", "zkats.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return r


def test_cli_on_bad_files(seeds, tmp_path):
    rng = random.Random(8)
    bad = {}
    for name in ALL:
        data = (seeds / name).read_bytes()
        b = bytearray(data)
        for _ in range(3):
            b[rng.randrange(min(len(b), 200))] ^= 0xFF
        bad[name] = tmp_path / ("bad_" + name)
        bad[name].write_bytes(bytes(b[: max(1, len(b) * 2 // 3)]))
    runs = [
        ("r1cs", "info", bad["m.r1cs"]),
        ("wtns", "check", seeds / "m.r1cs", bad["m.wtns"]),
        ("wtns", "check", bad["m.r1cs"], seeds / "m.wtns"),
        ("wtns", "calculate", "multiplier", bad["input.json"], tmp_path / "o.wtns"),
        ("groth16", "verify", bad["vk.json"], seeds / "public.json", seeds / "proof.json"),
        ("groth16", "verify", seeds / "vk.json", bad["public.json"], seeds / "proof.json"),
        ("groth16", "verify", seeds / "vk.json", seeds / "public.json", bad["proof.json"]),
        (
            "groth16",
            "prove",
            bad["m.zkey"],
            seeds / "m.wtns",
            tmp_path / "p.json",
            tmp_path / "pub.json",
        ),
        ("zkey", "export", "verificationkey", bad["m.zkey"], tmp_path / "vk2.json"),
        ("powersoftau", "verify", bad["m.ptau"]),
        ("lint", bad["m.r1cs"]),
        ("r1cs", "info", tmp_path / "missing.r1cs"),
    ]
    for args in runs:
        r = _cli(*args)
        _count("cli")
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 1, (args, r.stdout[-500:], r.stderr[-2000:])
        assert len(lines) == 1 and "zkats: " in lines[0], (args, r.stderr[-2000:])
        assert "Traceback" not in r.stderr
