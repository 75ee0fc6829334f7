"""Demo: 和平社区's 2023Q3 duty report, drafted from the demo records and finalised by its
secretary (so the street view, the batch download and the next quarter's follow-up have one)."""

from dangjian.lib.periods import Period

from .services import report_draft, report_finalise

DEMO_PERIOD = Period("quarter", 2023, 3)


def seed(ctx) -> None:
    detailed = next((c for c in ctx.communities if c.detailed), None)
    secretary = ctx.users.get("shuji")
    if detailed is None or secretary is None:
        return
    org = detailed.org
    report = report_draft(org=org, period=DEMO_PERIOD, reporter_name=org.secretary or secretary.get_full_name(),
                          reporter_title=f"{org.name}书记", reporter=secretary, user=secretary)
    report_finalise(report=report, user=secretary)
