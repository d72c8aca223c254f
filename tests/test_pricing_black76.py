"""Black-76 against textbook values, an independent integration, parity and
finite differences; edge cases and bad input."""

import math
import warnings

import numpy as np
import pytest

from zkats.errors import InputError
from zkats.pricing import black76, implied_vol

_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has only trapz


# --- textbook values ------------------------------------------------------------------
# E. G. Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (McGraw-Hill 2007),
# Black-76 example: futures 19, strike 19, 9 months, r = 10%, vol 28%: call = put = 1.7011.
def test_haug_black76_example():
    for call in (True, False):
        assert round(black76(19, 19, 0.75, 0.28, call, rate=0.10).price, 4) == 1.7011


# J. C. Hull, "Options, Futures, and Other Derivatives" (chapter on futures options,
# Black's model): crude-oil put, futures 20, strike 20, 4 months, r = 9%, vol 25%: 1.12.
def test_hull_futures_put_example():
    assert round(black76(20, 20, 4 / 12, 0.25, False, rate=0.09).price, 2) == 1.12


# Haug (2007), delta of a futures option: F = 105, K = 100, 6 months, r = 10%, vol 36%:
# call delta 0.5946, put delta -0.3566.
def test_haug_futures_delta_example():
    assert round(black76(105, 100, 0.5, 0.36, True, rate=0.10).delta, 4) == 0.5946
    assert round(black76(105, 100, 0.5, 0.36, False, rate=0.10).delta, 4) == -0.3566


# Haug (2007), gamma and vega of a generalized Black-Scholes-Merton option with S = 55,
# K = 60, 9 months, r = b = 10%, vol 30%: gamma 0.0278, vega 18.9358.  Black-76 on the
# forward F = S exp(bT) is that model; gamma in S is gamma in F times (dF/dS)^2.
def test_haug_gamma_vega_example():
    S, K, T, r, b, vol = 55.0, 60.0, 0.75, 0.10, 0.10, 0.30
    res = black76(S * math.exp(b * T), K, T, vol, True, rate=r)
    assert round(res.gamma * math.exp(2 * b * T), 4) == 0.0278
    assert round(res.vega, 4) == 18.9358


def test_against_numerical_integration():
    # independent of the closed form: E[max(F_T - K, 0)] under the lognormal law
    z = np.linspace(-12, 12, 400_001)
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    for F, K, T, vol in [(100, 80, 0.5, 0.6), (60000, 65000, 14 / 365, 0.55), (3, 4, 2.0, 1.2)]:
        FT = F * np.exp(vol * math.sqrt(T) * z - 0.5 * vol * vol * T)
        call = _trapezoid(np.maximum(FT - K, 0) * pdf, z)
        put = _trapezoid(np.maximum(K - FT, 0) * pdf, z)
        assert black76(F, K, T, vol).price == pytest.approx(call, rel=1e-8, abs=1e-10)
        assert black76(F, K, T, vol, False).price == pytest.approx(put, rel=1e-8, abs=1e-10)


# --- parity, bounds, vectorisation -----------------------------------------------------
def _grid():
    rng = np.random.default_rng(7)
    n = 2000
    F = rng.uniform(10, 200, n)
    K = F * np.exp(rng.normal(0, 0.5, n))
    T = rng.uniform(0.001, 3, n)
    vol = rng.uniform(0.05, 2.0, n)
    return F, K, T, vol


def test_put_call_parity_and_bounds():
    F, K, T, vol = _grid()
    for rate in (0.0, 0.07):
        c = black76(F, K, T, vol, True, rate)
        p = black76(F, K, T, vol, False, rate)
        D = np.exp(-rate * T)
        assert (abs(c.price - p.price - D * (F - K)) <= 1e-9 * F).all()
        np.testing.assert_allclose(c.delta - p.delta, D, atol=1e-12)
        np.testing.assert_allclose(c.gamma, p.gamma, rtol=1e-12)
        np.testing.assert_allclose(c.vega, p.vega, rtol=1e-12)
        assert (c.price >= D * np.maximum(F - K, 0) - 1e-9 * F).all()
        assert (c.price <= D * F).all() and (p.price <= D * K).all()


def test_vectorised_equals_scalar_and_broadcasts():
    F, K, T, vol = (x[:20] for x in _grid())
    call = np.arange(20) % 2 == 0
    v = black76(F, K, T, vol, call)
    for i in range(20):
        s = black76(float(F[i]), float(K[i]), float(T[i]), float(vol[i]), bool(call[i]))
        assert isinstance(s.price, float)
        assert v.price[i] == pytest.approx(s.price, rel=1e-14, abs=1e-14)
        assert v.theta[i] == pytest.approx(s.theta, rel=1e-14, abs=1e-14)
    b = black76(100.0, np.array([[90.0], [110.0]]), np.array([0.1, 0.5, 1.0]), 0.5)
    assert b.price.shape == (2, 3) and b.vega.shape == (2, 3)


# --- Greeks against finite differences -------------------------------------------------
@pytest.mark.parametrize("call", [True, False])
@pytest.mark.parametrize("rate", [0.0, 0.05])
def test_greeks_against_finite_differences(call, rate):
    F, K, T, vol = (x[:300] for x in _grid())

    def px(f=F, t=T, s=vol):
        return black76(f, K, t, s, call, rate).price

    g = black76(F, K, T, vol, call, rate)
    d = 1e-6 * F
    np.testing.assert_allclose(g.delta, (px(f=F + d) - px(f=F - d)) / (2 * d), atol=1e-8)
    h = 1e-4 * F
    gamma_fd = (px(f=F + h) - 2 * px() + px(f=F - h)) / (h * h)
    np.testing.assert_allclose(g.gamma, gamma_fd, rtol=1e-4, atol=1e-7)
    hv = 1e-5
    np.testing.assert_allclose(
        g.vega, (px(s=vol + hv) - px(s=vol - hv)) / (2 * hv), rtol=1e-6, atol=1e-6
    )
    ht = 1e-6
    theta_fd = -(px(t=T + ht) - px(t=T - ht)) / (2 * ht)
    assert (abs(g.theta - theta_fd) <= 1e-5 * (abs(theta_fd) + F)).all()


# --- edge cases -----------------------------------------------------------------------
def test_expiry_gives_intrinsic():
    F = np.array([120.0, 100.0, 80.0])
    c = black76(F, 100.0, 0.0, 0.6)
    p = black76(F, 100.0, 0.0, 0.6, False)
    np.testing.assert_array_equal(c.price, [20, 0, 0])
    np.testing.assert_array_equal(p.price, [0, 0, 20])
    np.testing.assert_array_equal(c.delta, [1, 0.5, 0])
    np.testing.assert_array_equal(p.delta, [0, -0.5, -1])
    for r in (c, p):
        np.testing.assert_array_equal(r.gamma, 0)
        np.testing.assert_array_equal(r.vega, 0)
        np.testing.assert_array_equal(r.theta, 0)
    # and the limit T -> 0 is continuous away from the money
    near = black76(F, 100.0, 1e-12, 0.6)
    np.testing.assert_allclose(near.price, [20, 0, 0], atol=1e-4)


def test_zero_vol_is_discounted_intrinsic():
    F = np.array([120.0, 100.0, 80.0])
    z = black76(F, 100.0, 1.0, 0.0, True, rate=0.05)
    D = math.exp(-0.05)
    np.testing.assert_allclose(z.price, D * np.array([20, 0, 0]))
    np.testing.assert_allclose(z.delta, D * np.array([1, 0.5, 0]))
    tiny = black76(F, 100.0, 1.0, 1e-9, True, rate=0.05)
    np.testing.assert_allclose(tiny.price, z.price, atol=1e-6)
    # at the money the vega at zero vol is the one-sided limit D F sqrt(T / 2 pi)
    assert z.vega[1] == pytest.approx(D * 100 / math.sqrt(2 * math.pi))
    assert z.vega[1] == pytest.approx(tiny.vega[1], rel=1e-6)


def test_deep_in_and_out_of_the_money():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        itm = black76(1e6, 1.0, 1.0, 0.5)
        otm = black76(1.0, 1e6, 1.0, 0.5)
        huge = black76(100.0, 100.0, 50.0, 5.0)
    assert itm.price == pytest.approx(1e6 - 1.0, rel=1e-15) and itm.delta == 1.0
    assert 0.0 <= itm.gamma < 1e-100 and 0.0 <= itm.vega < 1e-100
    assert 0.0 <= otm.price < 1e-100 and otm.delta < 1e-100
    assert 0 < huge.price <= 100.0 and all(np.isfinite(x) for x in vars(huge).values())


# --- bad input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, name",
    [
        ((0.0, 100, 1, 0.5), "forward"),
        ((-5.0, 100, 1, 0.5), "forward"),
        ((100, 0, 1, 0.5), "strike"),
        ((100, -1, 1, 0.5), "strike"),
        ((100, 100, -0.1, 0.5), "years"),
        ((100, 100, 1, -0.2), "vol"),
        ((float("nan"), 100, 1, 0.5), "forward"),
        ((100, float("inf"), 1, 0.5), "strike"),
        ((100, 100, float("inf"), 0.5), "years"),
        ((100, 100, 1, "0.5x"), "vol"),
    ],
)
def test_bad_input(args, name):
    with pytest.raises(ValueError, match=f"black76 {name}"):
        black76(*args)


def test_bad_input_in_array_names_the_element():
    with pytest.raises(InputError, match=r"black76 strike\[2\]: must be finite and > 0, got -3"):
        black76(100.0, np.array([90.0, 100.0, -3.0]), 1.0, 0.5)
    with pytest.raises(InputError, match="black76 call"):
        black76(100.0, 100.0, 1.0, 0.5, call="yes")


# --- implied vol ------------------------------------------------------------------------
def test_implied_vol_inverts_the_price():
    F, K, T, vol = (x[:500] for x in _grid())
    call = np.arange(500) % 3 != 0
    p = black76(F, K, T, vol, call).price
    # where the time value is float noise the price says nothing about the vol
    ok = p - np.maximum(np.where(call, F - K, K - F), 0) > 1e-6 * F
    assert ok.sum() > 400
    np.testing.assert_allclose(
        implied_vol(p[ok], F[ok], K[ok], T[ok], call[ok]), vol[ok], atol=1e-6
    )
    # Haug's Black-76 example, backwards
    assert implied_vol(1.7011, 19, 19, 0.75, True, 0.10) == pytest.approx(0.28, abs=1e-4)


@pytest.mark.parametrize(
    "args, match",
    [
        ((19.0, 100, 80, 0.5), "outside the no-arbitrage range \\(20, 100\\)"),
        ((100.0, 100, 80, 0.5), "outside the no-arbitrage range"),
        ((5.0, 100, 100, 0.0), "expired"),
        ((float("nan"), 100, 100, 1.0), "outside"),
        ((5.0, -100, 100, 1.0), "black76 forward"),
    ],
)
def test_implied_vol_bad_input(args, match):
    with pytest.raises(InputError, match=match):
        implied_vol(*args)
