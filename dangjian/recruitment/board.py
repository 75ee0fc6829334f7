"""The board of one organisation's subtree: who is at which stage, what is due next, what is
overdue. Three queries whatever the number of people (applicants, their steps, untracked
probationers on the roll); the dashboard panel, the command and the figures read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from dangjian.members.models import Member
from dangjian.orgs.models import Org

from .choices import Outcome, Stage
from .models import Applicant, RuleSetting, Step
from .progress import Track, as_of, track
from .rules import Ruleset


@dataclass
class Column:
    stage: Stage
    tracks: list[Track] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tracks if t.overdue)


@dataclass
class Board:
    org: Org
    today: date
    rules: Ruleset
    columns: list[Column]
    untracked: list[Member]  # 预备党员 on the roll whose probation is not tracked yet

    @property
    def tracks(self) -> list[Track]:
        return [t for c in self.columns for t in c.tracks]

    @property
    def overdue(self) -> list[Track]:
        return [t for t in self.tracks if t.overdue]


def applicants_for(org: Org):
    """Everyone of org's subtree ever in the pipeline, with their steps (two queries)."""
    steps = Prefetch("steps", queryset=Step.objects.only("pk", "applicant_id", "code", "done_on", "months"))
    return Applicant.objects.in_org(org).select_related("org").prefetch_related(steps)


def snapshots(org: Org, day: date, applicants: list[Applicant] | None = None) -> list:
    """Each person as the records stood at the end of `day` (progress.as_of); `applicants` are
    org's `applicants_for` when already loaded."""
    people = applicants_for(org) if applicants is None else applicants
    return [s for s in (as_of(a, day) for a in people) if s is not None]


def board_for(org: Org, today: date, rules: Ruleset | None = None, *, on: date | None = None,
              applicants: list[Applicant] | None = None) -> Board:
    """The board as of `on` (default today): people still in the pipeline that day, by stage."""
    rules = rules or RuleSetting.objects.ruleset()
    day = on or today
    columns = {s: Column(s) for s in Stage}
    for a in snapshots(org, day, applicants):
        if a.outcome == Outcome.ACTIVE:
            columns[Stage(a.stage)].tracks.append(track(a, rules, day))
    for c in columns.values():
        c.tracks.sort(key=lambda t: (not t.overdue, t.next_due.due_on if t.next_due else date.max, t.applicant.pk))
    untracked = []
    if day == today:
        untracked = list(Member.objects.in_org(org).current().filter(status="预备", recruitment__isnull=True)
                         .select_related("org").order_by("joined_on", "pk"))
    return Board(org, day, rules, list(columns.values()), untracked)
