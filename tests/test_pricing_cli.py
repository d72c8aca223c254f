"""``zkats price value|risk|quote`` on a market file."""

import json

import pytest
from click.testing import CliRunner

from zkats.cli import main
from zkats.pricing import (
    DEFAULT_GRID,
    Market,
    Option,
    Perpetual,
    Smile,
    Underlying,
    VolSurface,
    fixed_marks,
    load_market,
    quote,
    risk_array,
)
from zkats.pricing.instruments import parse

NOW = 1_764_979_200
EXP = NOW + 30 * 86_400
CALL = f"BTC-{EXP}-65000-C"


@pytest.fixture
def market_file(tmp_path):
    surf = VolSurface("BTC", (Smile(EXP, (50_000.0, 60_000.0, 70_000.0), (0.7, 0.6, 0.65)),))
    m = Market(NOW, {"BTC": Underlying(60_000.0, 0.01, surf), "ETH": Underlying(3_000.0)})
    p = tmp_path / "market.json"
    p.write_text(json.dumps(m.to_json()))
    return str(p), m


def run(*args, code=0):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == code, res.output
    return res.output


def test_instrument_names_round_trip():
    for inst in (Perpetual("ETH"), Option("BTC", 65_000.5, EXP, "put", 0.1)):
        assert parse(inst.name, inst.lot) == inst
    assert parse(f"BTC-{EXP}").expiry == EXP
    for bad in ("BTC", "BTC-PERPS", f"BTC-{EXP}-x-C", f"BTC-{EXP}-65000-X", "-PERP"):
        with pytest.raises(ValueError, match="instrument"):
            parse(bad)


def test_value(market_file):
    path, m = market_file
    rows = json.loads(
        run(
            "price",
            "value",
            "--market",
            path,
            CALL,
            "ETH-PERP",
            "--lot",
            "0.01",
            "--scale",
            10**6,
            "--tick",
            10_000,
            "--json",
        )
    )
    call = Option("BTC", 65_000.0, EXP, "call", 0.01)
    assert rows[0]["instrument"] == CALL
    assert rows[0]["fixed"] == vars(fixed_marks(call, m, 10**6, 10_000))
    assert rows[1]["fixed"]["mark"] == 30 * 10**6
    text = run("price", "value", "--market", path, CALL)
    assert text.startswith(f"{CALL}: price ") and "fixed: mark" in text


def test_risk(market_file):
    path, m = market_file
    out = json.loads(run("price", "risk", "--market", path, CALL, "--side", "short", "--json"))
    assert out["risk_array"] == list(
        risk_array(Option("BTC", 65_000.0, EXP, "call"), m, side="short")
    )
    assert len(out["grid"]["scenarios"]) == len(DEFAULT_GRID)
    text = run("price", "risk", "--market", path, "BTC-PERP")
    assert "  0  price  -16.00%  vol  -30%  weight 1     -9600" in text
    assert "worst: -9900" in text  # the -66% move at weight 0.25


def test_quote(market_file):
    path, m = market_file
    out = json.loads(
        run("price", "quote", "--market", path, CALL, 50, "buy", "--spread-bps", 20, "--json")
    )
    q = quote(Option("BTC", 65_000.0, EXP, "call"), 50, "buy", m, 20)
    assert out["price"] == q.ask == out["ask"]


def test_bad_input_is_one_line(market_file, tmp_path):
    path, _ = market_file
    out = run("price", "value", "--market", path, "BTC-TOMORROW", code=1)
    assert out.startswith("zkats: error: instrument 'BTC-TOMORROW'") and out.count("\n") == 1
    out = run("price", "value", "--market", path, "SOL-PERP", code=1)
    assert "no data for underlying 'SOL'" in out
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "zkats.market"}')
    out = run("price", "risk", "--market", bad, "BTC-PERP", code=1)
    assert "missing keys" in out
    out = run("price", "quote", "--market", path, CALL, 0, "buy", "--spread-bps", 20, code=1)
    assert "quote size" in out


def test_example_market_in_the_docs(root):
    path = root / "docs" / "examples" / "market.json"
    m = load_market(path)
    assert set(m.underlyings) == {"BTC", "ETH"}
    exp = m.underlyings["BTC"].surface.smiles[1].expiry
    out = json.loads(run("price", "value", "--market", path, f"BTC-{exp}-65000-C", "--json"))
    assert 0 < out[0]["model"]["price"] < 5_000 and 0.3 < out[0]["model"]["vol"] < 0.7
