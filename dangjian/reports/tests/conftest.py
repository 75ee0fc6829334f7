import pytest

from dangjian.lib.periods import Period
from dangjian.reports.services import report_draft

Q3 = Period.parse("2023Q3")


@pytest.fixture
def report(world):
    """和平社区's 2023Q3 draft, written by the community's party worker."""
    return report_draft(org=world.community, period=Q3, reporter_name="刘书记",
                        reporter_title="和平社区党总支书记", reporter=world.secretary, user=world.worker)


@pytest.fixture
def other_report(world):
    return report_draft(org=world.other_community, period=Q3, reporter_name="光明书记", user=world.outsider)
