import json

import pytest
from click.testing import CliRunner

from zkats.cli import main
from zkats.formats.r1cs import read_r1cs
from zkats.formats.wtns import read_wtns_ints, write_wtns


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKATS_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()

    def run(*args, ok=True):
        res = runner.invoke(main, [str(a) for a in args])
        if ok:
            assert res.exit_code == 0, res.output
        else:
            assert res.exit_code == 1, res.output
        return res

    return run


def test_list_and_info(cli):
    out = cli("circuit", "list").output
    assert "multiplier" in out and "product_chain" in out
    out = cli("circuit", "info", "multiplier").output
    assert "constraints:     2" in out and "public inputs:   1" in out
    info = json.loads(cli("circuit", "info", "product_chain", "-p", "n=10", "--json").output)
    assert info["constraints"] == 11 and info["private_inputs"] == 1
    assert info["by_scope"] == {"(top)": 11}


def test_info_from_file_with_scopes(cli, tmp_path):
    p = tmp_path / "cmp.py"
    p.write_text(
        "from zkats.circuit import Circuit, Output, Private\n"
        "from zkats.gadgets.comparators import less_than\n"
        "from zkats.gadgets.bits import range_check\n"
        "class Cmp(Circuit):\n"
        "    lt = Output()\n    a = Private()\n    b = Private()\n"
        "    def define(self, api):\n"
        "        range_check(api, self.a, 16)\n        range_check(api, self.b, 16)\n"
        "        api.set_output(self.lt, less_than(api, 16, self.a, self.b))\n"
    )
    info = json.loads(cli("circuit", "info", p, "--json").output)
    assert info["by_scope"] == {"num2bits": 32, "less_than": 17, "(top)": 1}
    assert info["constraints"] == 50
    cli("circuit", "compile", p, "-o", tmp_path / "out")
    r = read_r1cs(tmp_path / "out" / "cmp.r1cs")
    assert r.n_constraints == 50
    (tmp_path / "in.json").write_text(json.dumps({"a": 3, "b": "70"}))
    out = cli("wtns", "calculate", p, tmp_path / "in.json", tmp_path / "w.wtns").output
    assert '["1"]' in out
    cli("wtns", "check", tmp_path / "out" / "cmp.r1cs", tmp_path / "w.wtns")


def test_compile_calculate_check(cli, tmp_path):
    out = cli("circuit", "compile", "multiplier", "-o", tmp_path).output
    assert "2 constraints" in out
    r1 = tmp_path / "multiplier.r1cs"
    info = cli("r1cs", "info", r1).output
    assert "# of Constraints: 2" in info and "# of Outputs: 1" in info
    assert json.loads(cli("r1cs", "info", r1, "--json").output)["wires"] == 5
    (tmp_path / "in.json").write_text('{"a": 6, "b": "7"}')
    cli("wtns", "calculate", "multiplier", tmp_path / "in.json", tmp_path / "w.wtns")
    assert read_wtns_ints(tmp_path / "w.wtns") == [1, 42, 6, 7, 42]
    assert "OK" in cli("wtns", "check", r1, tmp_path / "w.wtns").output
    write_wtns(tmp_path / "bad.wtns", [1, 43, 6, 7, 42])
    res = cli("wtns", "check", r1, tmp_path / "bad.wtns", ok=False)
    assert "constraint 1" in res.output
    write_wtns(tmp_path / "short.wtns", [1, 42])
    assert "wires" in cli("wtns", "check", r1, tmp_path / "short.wtns", ok=False).output


@pytest.mark.parametrize(
    "content,needle",
    [
        ('{"a": 6}', "missing input 'b'"),
        ('{"a": 6, "b": 1, "q": 2}', "unknown input 'q'"),
        ('{"a": "-3", "b": 1}', "not a canonical"),
        ('{"a": 6, ', "not valid JSON"),
    ],
)
def test_calculate_bad_input(cli, tmp_path, content, needle):
    (tmp_path / "in.json").write_text(content)
    res = cli(
        "wtns", "calculate", "multiplier", tmp_path / "in.json", tmp_path / "w.wtns", ok=False
    )
    assert needle in res.output and "in.json" in res.output
    assert "Traceback" not in res.output


def test_errors_are_one_line(cli, tmp_path):
    res = cli("circuit", "info", "no_such_circuit", ok=False)
    assert "unknown circuit" in res.output
    (tmp_path / "x.r1cs").write_bytes(b"junkjunkjunkjunk")
    res = cli("r1cs", "info", tmp_path / "x.r1cs", ok=False)
    assert "wrong magic" in res.output and len(res.output.strip().splitlines()) == 1
    res = cli("r1cs", "info", tmp_path / "missing.r1cs", ok=False)
    assert "cannot open" in res.output


def test_info_warns_about_free_hints(cli, tmp_path):
    p = tmp_path / "lazy.py"
    p.write_text(
        "from zkats.circuit import Circuit, Output, Private\n"
        "class Lazy(Circuit):\n    y = Output()\n    x = Private()\n"
        "    def define(self, api):\n"
        "        api.hint(lambda v: v + 1, self.x, name='free')\n"
        "        api.set_output(self.y, self.x)\n"
    )
    out = cli("circuit", "info", p).output
    assert "WARNING: 1 hint outputs appear in no constraint" in out and "free" in out
