"""The 自检 panel: what a secretary must settle before finalising — the placeholders left in the
text, and the relations between the period's figures that do not hold."""

from __future__ import annotations

from dataclasses import dataclass

from . import invariants, sources
from .drafting import MARKER
from .invariants import Violation
from .models import ReportVersion
from .services import placeholders_left


@dataclass
class Failure:
    """A relation between figures that does not hold, with the numbers and where to look."""

    relation: str
    numbers: str
    link: str = ""


def _v(figures: dict, key: str):
    f = figures.get(key)
    return f["value"] if f is not None else None


def snapshot_failures(version: ReportVersion) -> list[Failure]:
    """What the report's own text rests on, checked on the version's figures: part 三 lists as many
    problems as it counts, and every number in a paragraph is in the version's data."""
    figures = version.figures.get("figures", {})
    out: list[Failure] = []
    listed = _v(figures, "plans.problems_listed")
    problems = version.figures.get("extra", {}).get("plans.problems")
    if listed is not None and problems is not None and len(problems) != listed:
        out.append(Failure("期内在账问题 = 第三部分列出的问题", f"{listed} ≠ {len(problems)}",
                           figures["plans.problems_listed"]["link"]))
    for p in version.paragraphs.all():
        for key in MARKER.findall(p.source):
            if key not in figures:
                out.append(Failure("段落中的数字在本版数据中存在", f"缺少：{key}"))
    return out


# Where to look when a relation of an app fails: the list behind its headline figure.
LOOK_AT = {"members": "members.total", "meetings": "meetings.held", "dues": "dues.due", "plans": "plans.problems_listed"}


def violation_failure(v: Violation, figures: dict) -> Failure:
    headline = figures.get(LOOK_AT.get(v.key.split(".", 1)[0], ""), {})
    numbers = "，".join(f"{k} {sources.plain(n)}" for k, n in v.numbers.items())
    return Failure(v.relation, numbers, headline.get("link", ""))


def invariant_failures(version: ReportVersion) -> list[Failure]:
    """The relations between the period's figures (as the records stand now) that do not hold,
    from the shared checker (`dangjian verify` runs the same), then the report's own checks."""
    report = version.report
    figures = version.figures.get("figures", {})
    live = [violation_failure(v, figures) for v in invariants.check(report.org, report.period_obj)]
    return live + snapshot_failures(version)


def selfcheck(version: ReportVersion) -> dict:
    left = placeholders_left(version)
    failures = invariant_failures(version)
    return {"placeholders": left, "failures": failures, "ok": not left and not failures}
