"""Black-76: European options on a forward (a future or a perpetual's index).

``black76(forward, strike, years, vol, call=True, rate=0.0)`` prices and
gives the Greeks of ONE unit of the underlying, vectorised over numpy arrays
(every argument broadcasts against the others).  With ``d1 = (ln(F/K) +
vol^2 T / 2) / (vol sqrt T)``, ``d2 = d1 - vol sqrt T`` and ``D = exp(-rate T)``::

    call = D (F N(d1) - K N(d2))        put = D (K N(-d2) - F N(-d1))

Conventions of the Greeks (raw derivatives, no per-cent or per-day scaling):

* ``delta = dV/dF``, ``gamma = d2V/dF2`` (per unit of the forward);
* ``vega = dV/dvol`` per 1.00 of volatility (divide by 100 for one vol point);
* ``theta = dV/dt`` per year of calendar time with ``F`` and ``vol`` held
  (``= -dV/dT``; divide by 365 for one day).  Usually negative.

Edge cases are the limits of the formulas: when ``vol * sqrt(T) == 0``
(expiry reached, or zero volatility) the price is the discounted intrinsic
value ``D max(F - K, 0)``, delta is ``D`` in the money, ``0`` out of it and
``D / 2`` at the money, gamma and theta are ``0`` (at the money they diverge
as ``T -> 0``; the venue never needs them there) and vega is its one-sided
limit ``D F sqrt(T) / sqrt(2 pi)`` at the money, else ``0``.

:func:`implied_vol` inverts the price in the vol (bisection).

Bad input (a forward or strike that is not a positive finite number, a
negative or non-finite time or volatility) raises :class:`InputError` (a
``ValueError``) naming the argument.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

SQRT2 = math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
#: seconds in the year of ``years`` (ACT/365 on unix seconds)
YEAR_SECONDS = 365 * 86400
#: the upper end of the implied-vol search (1000%)
MAX_IMPLIED_VOL = 10.0

_erfc = np.frompyfunc(math.erfc, 1, 1)


def norm_cdf(x):
    """Standard normal CDF, accurate in both tails (``erfc``, not ``1 - erf``)."""
    return 0.5 * np.asarray(_erfc(-np.asarray(x, dtype=float) / SQRT2), dtype=float)


def norm_pdf(x):
    x = np.asarray(x, dtype=float)
    return INV_SQRT_2PI * np.exp(-0.5 * x * x)


def years_between(now, expiry):
    """Year fraction ``(expiry - now) / YEAR_SECONDS`` (ACT/365), 0 once expired."""
    return np.maximum(np.asarray(expiry, dtype=float) - np.asarray(now, dtype=float), 0.0) / (
        YEAR_SECONDS
    )


@dataclass(frozen=True)
class Black76:
    """Price and Greeks of one unit (floats for scalar input, else arrays)."""

    price: object
    delta: object
    gamma: object
    vega: object
    theta: object


def _array(value, name, positive):
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"black76 {name}: expected a number or an array of numbers") from None
    bad = ~np.isfinite(a) | ((a <= 0) if positive else (a < 0))
    if bad.any():
        idx = np.argwhere(bad)[0]
        where = f"{name}[{', '.join(map(str, idx))}]" if a.ndim else name
        need = "> 0" if positive else ">= 0"
        raise InputError(
            f"black76 {where}: must be finite and {need}, got {float(a[tuple(idx)]):g}"
        )
    return a


def black76(forward, strike, years, vol, call=True, rate=0.0):
    """Black-76 price and Greeks of a European option on ``forward``.

    ``forward`` and ``strike`` in one currency unit per unit of underlying,
    ``years`` to expiry (>= 0), ``vol`` annualised (0.6 = 60%), ``call`` a
    bool or bool array, ``rate`` the continuously compounded discount rate.
    Returns a :class:`Black76` (see the module doc for the conventions)."""
    F = _array(forward, "forward", True)
    K = _array(strike, "strike", True)
    T = _array(years, "years", False)
    s = _array(vol, "vol", False)
    if not np.isfinite(np.asarray(rate, dtype=float)).all():
        raise InputError("black76 rate: must be finite")
    c = np.asarray(call)
    if c.dtype != bool:
        raise InputError("black76 call: must be True/False (or a bool array)")
    scalar = all(np.ndim(x) == 0 for x in (F, K, T, s, c, rate))
    F, K, T, s, c, r = np.broadcast_arrays(F, K, T, s, c, np.asarray(rate, dtype=float))

    disc = np.exp(-r * T)
    sd = s * np.sqrt(T)
    live = sd > 0
    sd1 = np.where(live, sd, 1.0)
    lm = np.log(F / K)
    # a dead option (sd == 0) has d1 = +inf, -inf or 0: N(d1) is the intrinsic step
    dead = np.where(lm > 0, np.inf, np.where(lm < 0, -np.inf, 0.0))
    d1 = np.where(live, (lm + 0.5 * sd * sd) / sd1, dead)
    d2 = d1 - sd
    n1 = norm_pdf(d1)

    callp = disc * (F * norm_cdf(d1) - K * norm_cdf(d2))
    putp = disc * (K * norm_cdf(-d2) - F * norm_cdf(-d1))
    price = np.where(c, callp, putp)
    delta = np.where(c, disc * norm_cdf(d1), -disc * norm_cdf(-d1))
    gamma = np.where(live, disc * n1 / (F * sd1), 0.0)
    vega = disc * F * n1 * np.sqrt(T)
    decay = np.where(live, disc * F * n1 * s / (2.0 * np.sqrt(np.where(live, T, 1.0))), 0.0)
    theta = r * price - decay

    out = [price, delta, gamma, vega, theta]
    if scalar:
        out = [float(x) for x in out]
    return Black76(*out)


def implied_vol(price, forward, strike, years, call=True, rate=0.0, tol=1e-10):
    """The vol at which :func:`black76` gives ``price`` (vectorised; bisection on
    ``[0, MAX_IMPLIED_VOL]``, to ``tol`` in vol: the price is increasing in vol,
    so it always converges).  A price outside the no-arbitrage range
    ``(D max(F - K, 0), D F)`` for a call (``(D max(K - F, 0), D K)`` for a
    put) has no implied vol: :class:`InputError`."""
    P = np.asarray(price, dtype=float)
    probe = black76(forward, strike, years, 0.0, call, rate)  # validates the rest
    F, K, T, c, P = np.broadcast_arrays(
        np.asarray(forward, dtype=float), strike, years, np.asarray(call), P
    )
    D = np.exp(-np.asarray(rate, dtype=float) * T)
    low = np.asarray(probe.price)
    high = np.where(c, D * F, D * K)
    bad = ~np.isfinite(P) | (P <= low) | (P >= high) | (T <= 0)
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        raise InputError(
            f"implied vol: price {float(P[i]):g} is outside the no-arbitrage range "
            f"({float(low[i]):g}, {float(high[i]):g}) (or the option has expired)"
        )
    a, b = np.zeros_like(P), np.full_like(P, MAX_IMPLIED_VOL)
    fa = np.asarray(black76(F, K, T, b, c, rate).price)
    if (fa < P).any():
        raise InputError(f"implied vol: price needs a vol above {MAX_IMPLIED_VOL}")
    while (b - a).max() > tol:
        mid = 0.5 * (a + b)
        above = np.asarray(black76(F, K, T, mid, c, rate).price) > P
        a, b = np.where(above, a, mid), np.where(above, mid, b)
    out = 0.5 * (a + b)
    return float(out) if out.ndim == 0 else out
