"""Helpers for the dues tests: a 核定 and a payment in one call each, with fixed dates."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.dues.services import base_set, payment_record

TODAY = date(2023, 12, 15)


def D(value) -> Decimal:
    return Decimal(str(value))


@pytest.fixture
def assess():
    def make(member, base=None, *, month=date(2023, 1, 1), category="在职", fixed=None):
        return base_set(member=member, effective_month=month, category=category,
                        base=D(base) if base is not None else None, fixed_amount=D(fixed) if fixed is not None else None)
    return make


@pytest.fixture
def pay():
    def make(member, amount, *, on=date(2023, 1, 10), months=None, extra=0, method="现金", today=TODAY, **kw):
        return payment_record(member=member, amount=D(amount), paid_on=on, method=method, months=months,
                              extra=D(extra), today=today, **kw)
    return make
