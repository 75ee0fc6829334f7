"""Where a person stands and what is due next: pure functions of an Applicant (its steps
prefetched), the rules in force and today — the board, the command, reminders and figures all
read these, so a date is computed once."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from dangjian.lib.periods import add_months

from .choices import BY_CODE, NUMBERED, ONGOING, Outcome, Stage, StepDef
from .rules import Rule, Ruleset


@dataclass(frozen=True)
class DueItem:
    key: str  # talk, report, review, approval, conversion_meeting, conversion_approval
    label: str
    due_on: date
    overdue: bool
    rule: Rule

    @property
    def text(self) -> str:
        return f"{self.label}：应于{self.due_on:%Y-%m-%d}前（{self.rule.source}）"


@dataclass
class Track:
    applicant: object
    next_step: StepDef | None
    earliest: date | None = None  # the next step may not be taken before this day (培养期)
    earliest_rule: Rule | None = None
    dues: list[DueItem] = field(default_factory=list)

    @property
    def overdue(self) -> list[DueItem]:
        return [d for d in self.dues if d.overdue]

    @property
    def next_due(self) -> DueItem | None:
        return min(self.dues, key=lambda d: d.due_on, default=None)


def done_codes(applicant, day: date | None = None) -> dict[str, date]:
    """code → date of each step done by `day` (the latest for repeatable entries); uses prefetched steps."""
    found: dict[str, date] = {}
    for s in applicant.steps.all():
        if day is not None and s.done_on > day:
            continue
        if s.code not in found or s.done_on > found[s.code]:
            found[s.code] = s.done_on
    return found


STAGE_ENTRY = (("approval", Stage.PROBATION), ("branch_review", Stage.ADMISSION), ("candidate", Stage.CANDIDATE),
               ("activist", Stage.ACTIVIST))


def as_of(applicant, day: date):
    """The applicant as the records stood at the end of `day` (only steps done by then), so a
    past period's board and figures never change when later steps are recorded. None when the
    person was not in the pipeline yet that day."""
    done = done_codes(applicant, day)
    start = applicant.applied_on if not applicant.from_roster else applicant.admitted_on
    if start is None or start > day:
        return None
    snap = copy.copy(applicant)
    snap._done = done
    snap.talked_on, snap.activist_on, snap.candidate_on = done.get("talk"), done.get("activist"), done.get("candidate")
    snap.admitted_on = done.get("branch_meeting")
    snap.approved_on = done.get("approval")
    snap.conversion_meeting_on = done.get("conversion_meeting")
    snap.last_report_on, snap.last_review_on = done.get("report"), done.get("review")
    snap.extended_months = next((s.months or 0 for s in applicant.steps.all() if s.code == "extend" and s.done_on <= day), 0)
    snap.stage = next((stage for code, stage in STAGE_ENTRY if code in done), Stage.APPLICANT)
    if applicant.from_roster:
        snap.stage = Stage.PROBATION
    snap.converted_on = snap.probation_ends_on if "conversion_approval" in done else None
    snap.outcome = (Outcome.CANCELLED if "cancel" in done else Outcome.STOPPED if "stop" in done
                    else Outcome.CONVERTED if "conversion_approval" in done else Outcome.ACTIVE)
    snap.ended_on = done.get("cancel") or done.get("stop")
    return snap


def next_step(applicant, done: dict[str, date]) -> StepDef | None:
    for step in NUMBERED:
        if step.code in done or step.code in ONGOING:
            continue
        if applicant.from_roster and step.number < 22:
            continue
        return step
    return None


def _every(rule: Rule, last: date | None, since: date) -> date:
    return add_months(last or since, rule.value)


def track(applicant, rules: Ruleset, today: date) -> Track:
    done = getattr(applicant, "_done", None)
    if done is None:
        done = done_codes(applicant)
    t = Track(applicant, next_step(applicant, done))
    if applicant.outcome != Outcome.ACTIVE:
        return t

    def due(key: str, label: str, day: date, rule: Rule) -> None:
        t.dues.append(DueItem(key, label, day, day < today, rule))

    if "talk" not in done and applicant.applied_on and not applicant.from_roster:
        due("talk", "谈话", add_months(applicant.applied_on, rules["talk_months"].value), rules["talk_months"])
    if applicant.activist_on:
        due("report", "思想汇报", _every(rules["report_months"], applicant.last_report_on, applicant.activist_on),
            rules["report_months"])
        if not applicant.admitted_on:
            due("review", "党支部考察", _every(rules["review_months"], applicant.last_review_on, applicant.activist_on),
                rules["review_months"])
    elif applicant.from_roster and applicant.admitted_on:
        # Reports before the probation was tracked here are not on file: count from the adoption.
        since = max(applicant.admitted_on, timezone.localtime(applicant.created_at).date())
        due("report", "思想汇报", _every(rules["report_months"], applicant.last_report_on, since), rules["report_months"])
    if applicant.activist_on and not applicant.candidate_on:
        t.earliest = add_months(applicant.activist_on, 12 * rules["activist_years"].value)
        t.earliest_rule = rules["activist_years"]
    if applicant.admitted_on and not applicant.approved_on and not applicant.from_roster:
        due("approval", "上级党委审批", add_months(applicant.admitted_on, rules["approval_months"].value),
            rules["approval_months"])
    ends = applicant.probation_ends_on
    if ends and (applicant.approved_on or applicant.from_roster):
        if not applicant.conversion_meeting_on:
            due("conversion_meeting", "预备期满，支部大会讨论转正", ends, rules["probation_years"])
        elif "conversion_approval" not in done:
            due("conversion_approval", "上级党委审批转正", add_months(ends, rules["conversion_months"].value),
                rules["conversion_months"])
    return t


def step_label(code: str) -> str:
    d = BY_CODE[code]
    return f"{d.number}. {d.label}" if d.number else d.label
