"""Money as integer cents, so that every total reconciles to the cent.

Clean tables hold euros as decimal.Decimal; the core turns them into int cents once, sums and splits
them as integers, and turns them back into euros only at the edges (sheet cells, exports, text).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

NBSP = "\u00a0"  # Finnish thousands separator and the space before €, never broken across lines


_ONE = Decimal(1)


def to_cents(euros: Decimal | int | float | str) -> int:
    """Euros -> int cents, rounding half up (a Decimal from the clean tables is already exact)."""
    amount = euros if isinstance(euros, Decimal) else Decimal(str(euros))
    return int(amount.scaleb(2).quantize(_ONE, rounding=ROUND_HALF_UP))


def cents_series(euros: pd.Series) -> pd.Series:
    """A column of Decimal euros -> int64 cents (missing values become 0 only where the caller allows it)."""
    scaled = euros.astype("float64").to_numpy() * 100
    cents = np.rint(scaled)
    # Validated euros have at most two decimals and stay far below 2**53 cents, so the float product is
    # within 1e-6 of a whole number of cents and rounds to it exactly; anything else takes the Decimal way.
    inexact = np.abs(scaled - cents) > 1e-6
    if inexact.any():
        cents[inexact] = [to_cents(v) for v in euros[inexact]]
    return pd.Series(cents.astype("int64"), index=euros.index)


def cents_to_euros(cents: int | None) -> float | None:
    """Cents -> euros for a sheet cell (the nearest double; shown with two decimals). None stays None."""
    if cents is None or pd.isna(cents):
        return None
    return int(cents) / 100


def cents_to_decimal(cents: int) -> Decimal:
    """Cents -> exact Decimal euros, for exports that keep money exact."""
    return Decimal(int(cents)).scaleb(-2)


def format_eur(cents: int) -> str:
    """Finnish text form: 123450 -> "1 234,50 €" (non-breaking spaces)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}".replace(",", NBSP) + f",{part:02d}{NBSP}€"


def apportion(totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split each row's total (int cents) over its weights by the largest-remainder method.

    Each share is floor(total * weight / sum of weights); the cents left over go one each to the
    shares with the largest remainders (ties to the leftmost), so a row's shares add up exactly to its
    total. A row whose weights are all zero gets nothing. totals: shape (n,); weights: (n, k), int.
    """
    totals = np.asarray(totals, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.int64)
    weight_sums = weights.sum(axis=1)
    safe_sums = np.where(weight_sums == 0, 1, weight_sums)
    exact = totals[:, None] * weights
    shares = exact // safe_sums[:, None]
    remainders = exact % safe_sums[:, None]
    leftover = np.where(weight_sums == 0, 0, totals - shares.sum(axis=1))
    # rank each row's remainders, largest first; a stable sort keeps ties in column order
    order = np.argsort(-remainders, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(weights.shape[1])[None, :].repeat(len(totals), axis=0), axis=1)
    return shares + (ranks < leftover[:, None]).astype(np.int64)
