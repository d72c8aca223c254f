"""What a researcher with their own circuit file meets on the command line:
circuits registered in their file named from the CLI, ``-p`` meaning the
same everywhere, one-line parameter errors, lint's range propagation
through products, failing constraints naming the user's signals."""

import json
import os
import subprocess
import sys

import pytest

MINE = '''
from zkats.circuit import Circuit, Output, Private, Public, register
from zkats.gadgets import bits, comparators


@register("below_limit_t")
class BelowLimit(Circuit):
    ok = Output()
    limit = Public()
    size = Private()

    def define(self, api):
        bits.range_check(api, self.size, 64)
        bits.range_check(api, self.limit, 64)
        api.set_output(self.ok, comparators.less_eq(api, 64, self.size, self.limit))


@register("notional_t")
class Notional(Circuit):
    """size (32 bits) * price (PRICE_BITS bits) <= limit, a 72-bit comparison."""

    ok = Output()
    size = Private()
    price = Private()
    limit = Private()

    def __init__(self, price_bits=40):
        self.price_bits = price_bits

    def define(self, api):
        bits.range_check(api, self.size, 32)
        bits.range_check(api, self.price, self.price_bits)
        bits.range_check(api, self.limit, 72)
        notional = api.mul(self.size, self.price)
        api.set_output(self.ok, comparators.less_eq(api, 72, notional, self.limit))
'''


def zk(*args, cwd, env=None):
    return subprocess.run(
        [sys.executable, "-m", "zkats", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ, **(env or {})),
        timeout=300,
    )


@pytest.fixture()
def work(tmp_path):
    (tmp_path / "mine.py").write_text(MINE)
    return tmp_path


def test_registered_name_in_own_file(work):
    r = zk("circuit", "info", "mine.py:below_limit_t", cwd=work)
    assert r.returncode == 0 and "circuit:         below_limit_t" in r.stdout
    r = zk("circuit", "info", "notional_t", cwd=work, env={"ZKATS_CIRCUITS": "mine.py"})
    assert r.returncode == 0 and "notional_t" in r.stdout
    r = zk("circuit", "list", cwd=work, env={"ZKATS_CIRCUITS": str(work)})
    assert "below_limit_t" in r.stdout and "notional_t" in r.stdout
    # a file with two registered circuits: the error says how to name one
    r = zk("circuit", "info", "mine.py", cwd=work)
    assert r.returncode == 1 and "name one: mine.py:" in r.stderr
    r = zk("circuit", "info", "mine.py:nope", cwd=work)
    assert r.returncode == 1 and "registers no circuit named 'nope'" in r.stderr
    r = zk("circuit", "info", "notional_t", cwd=work)
    assert r.returncode == 1 and "FILE.py:NAME" in r.stderr


@pytest.mark.parametrize(
    "cmd",
    [
        ["circuit", "info", "mine.py:notional_t"],
        ["lint", "mine.py:notional_t"],
        ["circuit", "compile", "mine.py:notional_t"],
        ["wtns", "calculate", "mine.py:notional_t", "in.json", "o.wtns"],
        ["prove", "mine.py:notional_t", "in.json", "-k", "none.zkey", "--quiet"],
    ],
)
def test_dash_p_is_param_everywhere_and_bad_values_are_one_line(work, cmd):
    (work / "in.json").write_text("{}")
    r = zk(*cmd, "-p", "price_bits=abc", cwd=work)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == [
        (
            "zkats: error: mine.py:notional_t: -p price_bits=abc: price_bits takes an integer "
            "(default 40)"
        )
    ]
    r = zk(*cmd, "-p", "nope=1", cwd=work)
    assert "no parameter 'nope' (parameters: price_bits=40)" in r.stderr


def test_prove_public_file_option(work):
    r = zk("prove", "--help", cwd=work)
    assert "--public" in r.stdout and "-p, -P, --param KEY=VALUE" in r.stdout


def test_lint_propagates_ranges_through_products(work):
    r = zk("lint", "mine.py:notional_t", cwd=work)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 unjustified finding(s)" in r.stdout
    # 32 + 41 bits do not fit the 72-bit comparator: still reported
    r = zk("lint", "mine.py:notional_t", "-p", "price_bits=41", cwd=work)
    assert r.returncode != 0 and "comparator" in r.stdout + r.stderr


def test_failing_constraint_names_user_signals(work):
    (work / "in.json").write_text(json.dumps({"limit": "5", "size": str(1 << 65)}))
    r = zk("wtns", "calculate", "mine.py:below_limit_t", "in.json", "o.wtns", cwd=work)
    assert r.returncode == 1
    line = r.stderr.strip()
    assert "size=36893488147419103232" in line and "num2bits(size)[0]=" in line
    assert "hint" not in line
