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


def write_placeholders(report, user, words: str = "本人按要求落实。") -> None:
    """The secretary writes every 【请补充：…】 of the current draft in her own words."""
    from dangjian.reports.drafting import PLACEHOLDER, fill
    from dangjian.reports.services import paragraph_save, placeholders_left

    version = report.current_version()
    for p in {item["paragraph"].pk: item["paragraph"] for item in placeholders_left(version)}.values():
        paragraph_save(paragraph=p, text=PLACEHOLDER.sub(words, fill(p.source, version.figures["figures"])), user=user)
