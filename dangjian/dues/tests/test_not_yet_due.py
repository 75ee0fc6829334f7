"""Months not yet due are 未到期 (neutral), never 欠/未交; the pay form asks for what is owed now;
the panels account for every yuan of 应交 (应交 = 实交 + 欠交 + 未到期)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.dues import figures
from dangjian.dues.book import member_book, month_of
from dangjian.dues.choices import PaySchedule
from dangjian.dues.services import base_set, payment_record, profile_update
from dangjian.lib.periods import Period
from dangjian.testing.dashboard import drawn_panels

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2023, 11, 15)  # inside the fourth quarter: October is past its deadline, November is not


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def quarterly(world):
    """张三 pays by the quarter (deadline: the quarter's last day), 40.00 a month from July; Q3 paid."""
    base_set(member=world.member_a, effective_month=date(2023, 7, 1), category="在职", base=D("4000"))
    profile_update(member=world.member_a, pay_schedule=PaySchedule.QUARTERLY, voluntary_extra=D("0"))
    payment_record(member=world.member_a, amount=D("120"), paid_on=date(2023, 9, 20), method="现金", today=TODAY)
    return world


@pytest.fixture
def monthly(world):
    """李四 pays monthly, 40.00 a month from July, nothing paid: July–October overdue, November not yet due."""
    base_set(member=world.member_b, effective_month=date(2023, 7, 1), category="在职", base=D("4000"))
    return world


def _rows(html: str) -> dict[str, str]:
    """data-month → the row's state badge."""
    return dict(re.findall(r'data-month="([\d-]+)".*?data-state="(\w+)"', html, re.S))


def test_it_shows_a_quarterly_payers_months_of_the_running_quarter_as_not_yet_due(quarterly, client_for):
    response = client_for(quarterly.worker_a).get(reverse("dues_member", args=[quarterly.member_a.pk]))
    html = response.content.decode()
    states = _rows(html)
    assert {states["2023-10"], states["2023-11"]} == {"pending"}
    assert response.context["overdue"] == 0 and response.context["pending"] == D("80.00")
    assert "未交" not in html.split('id="statement"')[1].split('id="ledger"')[0]
    assert "截至本月尚欠" not in html


def test_it_marks_a_not_yet_due_month_neutral_not_red(quarterly, client_for):
    html = client_for(quarterly.worker_a).get(reverse("dues_member", args=[quarterly.member_a.pk])).content.decode()
    row = re.search(r'data-month="2023-11".*?</tr>', html, re.S).group(0)
    assert "text-danger" not in row and "text-bg-danger" not in row and "未到期" in row


def test_it_prefills_the_pay_form_with_what_the_arrears_list_says_is_owed(monthly, client_for):
    client = client_for(monthly.worker_b)
    form = client.get(reverse("dues_member", args=[monthly.member_b.pk])).context["pay_form"]
    arrears = client.get(reverse("dues_arrears"), {"period": "2023Q4"}).context["rows"]
    listed = next(r for r in arrears if r.member == monthly.member_b)
    book = member_book(monthly.member_b, asof=TODAY)
    assert form.initial["amount"] == listed.owed_total == book.owed_now(TODAY)
    assert month_of(TODAY) not in [ln.month for ln in listed.owed_months]


def test_it_adds_up_the_period_as_paid_overdue_and_not_yet_due(quarterly, monthly):
    # Paid in advance for November (not yet due): in 实交, and shown as such.
    payment_record(member=monthly.member_b, amount=D("40"), paid_on=date(2023, 11, 2), method="现金",
                   months=[date(2023, 11, 1)], today=TODAY)
    f = figures.for_period(monthly.community, Period.parse("2023Q4"))
    month = member_book(monthly.member_b, asof=TODAY).line(date(2023, 10, 1)).due
    assert f.due.value == f.paid.value + f.arrears.value + f.pending.value
    assert f.paid_ahead.value == month  # 李四's November, paid before it was due
    assert f.arrears.value == month  # 李四's October; 张三's quarter is not due until 12-31
    assert all(r.holds for r in f.relations())


def test_it_shows_the_balance_on_the_dashboard(quarterly, monthly, client_for):
    response = client_for(quarterly.secretary).get(reverse("dashboard"), {"period": "2023Q4"})
    f = next(p for p in drawn_panels(response) if p["template"] == "dues/_dashboard.html")["f"]
    html = response.content.decode()
    balance = html.split('data-testid="dues-balance">')[1].split("</p>")[0]
    for fig in (f.due, f.paid, f.arrears, f.pending):
        assert fig.label in balance and f"{fig.value:,.2f}" in balance
    assert f.pending.value > 0 and f.due.value == f.paid.value + f.arrears.value + f.pending.value
