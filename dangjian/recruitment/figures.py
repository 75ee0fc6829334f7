"""Recruitment's numbers for an org subtree and a period: people per stage and overdue steps at
the period's end (or today, for a period not over yet), admitted and converted in the period.
Computed from the steps dated by then, so a past period never changes; each figure links to the
board (as of that day) or the list of the people behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from dangjian.lib.figures import Figure, link
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org

from .board import applicants_for, board_for, snapshots
from .choices import Stage


@dataclass
class RecruitmentFigures:
    org: Org
    period: Period
    on: date  # the day the stages and overdue items are counted
    by_stage: list[Figure] = field(default_factory=list)
    in_pipeline: Figure | None = None
    admitted: Figure | None = None
    converted: Figure | None = None
    overdue: Figure | None = None
    people: dict[str, list[str]] = field(default_factory=dict)  # figure key → names behind it

    def as_json(self) -> dict:
        return {"org": self.org.name, "period": str(self.period), "on": self.on.isoformat(),
                "by_stage": [f.as_json() for f in self.by_stage],
                **{k: getattr(self, k).as_json() for k in ("in_pipeline", "admitted", "converted", "overdue")},
                "people": self.people}


def in_period(org: Org, period: Period, code: str, applicants: list | None = None) -> list:
    """People whose step `code` (approval, conversion_approval) is dated in the period."""
    return [a for a in snapshots(org, period.last_day, applicants)
            if any(s.code == code and period.first_day <= s.done_on <= period.last_day for s in a.steps.all())]


def for_period(org: Org, period: Period, today: date | None = None) -> RecruitmentFigures:
    today = today or timezone.localdate()
    on = min(period.last_day, today)
    # Loaded once for the board and both lists (without the encrypted numbers no figure reads).
    applicants = list(applicants_for(org).defer("id_number", "phone"))
    board = board_for(org, today, on=on, applicants=applicants)
    board_link = link("recruit_board", org=org.pk, on=on.isoformat())
    f = RecruitmentFigures(org=org, period=period, on=on)
    for col in board.columns:
        f.by_stage.append(Figure(str(Stage(col.stage).label), len(col.tracks), f"{board_link}#stage-{col.stage.value}", "人"))
        f.people[f"stage_{col.stage.value}"] = [t.applicant.name for t in col.tracks]
    f.in_pipeline = Figure("发展党员工作中", len(board.tracks), board_link, "人")
    admitted = in_period(org, period, "approval", applicants)
    converted = in_period(org, period, "conversion_approval", applicants)
    f.admitted = Figure("批准接收预备党员", len(admitted), link("recruit_board", org=org.pk, period=str(period), list="approval"), "人")
    f.converted = Figure("批准转正", len(converted), link("recruit_board", org=org.pk, period=str(period), list="conversion_approval"), "人")
    overdue = [(t.applicant.name, d.label) for t in board.tracks for d in t.overdue]
    f.overdue = Figure("逾期事项", len(overdue), f"{board_link}#overdue", "项")
    f.people.update({"admitted": [a.name for a in admitted], "converted": [a.name for a in converted],
                     "overdue": [f"{n}：{label}" for n, label in overdue]})
    return f
