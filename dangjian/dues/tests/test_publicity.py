"""The quarterly 党费公示 of a branch: every member's months, totals equal to the quarter's figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.dues import figures
from dangjian.lib.periods import Period

pytestmark = pytest.mark.django_db


def test_it_lists_the_quarter_with_totals_equal_to_the_figures(world, client_for, assess, pay):
    assess(world.member_b, 4000)
    pay(world.member_b, 80, on=date(2023, 8, 10), months=[date(2023, 7, 1), date(2023, 8, 1)])
    response = client_for(world.worker_b).get(reverse("dues_publicity"), {"org": world.branch_b.pk, "period": "2023-08"})
    page = response.content.decode()
    f = figures.for_period(world.branch_b, Period.parse("2023Q3"))
    assert "第二党支部2023年第三季度党费交纳情况公示" in page.replace(" ", "")
    assert page.count('data-testid="publicity-row"') == len(f.rows) == 1
    assert f.paid.value == Decimal("80.00")
    assert f'data-testid="total-paid">{f.paid.value:,.2f}<' in page and f'data-testid="total-due">{f.due.value:,.2f}<' in page


@pytest.mark.parametrize("who", ["outsider", "worker_a", "grid_worker", "member_user"])
def test_it_keeps_another_branchs_publicity_from_view(world, client_for, who):
    response = client_for(getattr(world, who)).get(reverse("dues_publicity"), {"org": world.branch_b.pk, "period": "2023Q3"})
    assert response.status_code in (403, 404)
