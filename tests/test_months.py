"""The Finnish month forms: "7/2026" in tables, "heinäkuu 2026" in titles, both read back as the same month."""

from __future__ import annotations

import pytest

from tyollisyys_xl.core.months import month_label, month_title
from tyollisyys_xl.core.parsing import parse_month


@pytest.mark.parametrize(("month", "label", "title"), [
    (1, "1/2026", "tammikuu 2026"),
    (7, "7/2026", "heinäkuu 2026"),
    (12, "12/2026", "joulukuu 2026"),
    (0, "12/2025", "joulukuu 2025"),
    (-11, "1/2025", "tammikuu 2025"),
])
def test_month_forms(month, label, title):
    assert (month_label(month), month_title(month)) == (label, title)


@pytest.mark.parametrize("month", range(1, 13))
def test_both_forms_read_back_as_the_same_month(month):
    assert parse_month(month_label(month)) == parse_month(month_title(month)) == (2026, month)
