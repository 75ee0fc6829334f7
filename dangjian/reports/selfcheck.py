"""The 自检 panel: what a secretary must settle before finalising — the placeholders left in the
text, and the relations between the period's figures that do not hold.

The page shows what the version itself says at once (placeholders, the report's own checks on its
snapshot: no figure is computed). What needs the records as they stand now — the relations of the
shared checker and which figures changed since the draft was read — comes from `live(version)`,
one reading of the period's figures (`sources.collect`) for both, behind its own URL (htmx)."""

from __future__ import annotations

from dataclasses import dataclass

from . import invariants, sources
from .drafting import MARKER, json_value
from .invariants import Violation
from .models import ReportParagraph, ReportVersion
from .services import placeholders


@dataclass
class Failure:
    """A relation between figures that does not hold, with the numbers and where to look."""

    relation: str
    numbers: str
    link: str = ""


def _v(figures: dict, key: str):
    f = figures.get(key)
    return f["value"] if f is not None else None


def snapshot_failures(version: ReportVersion, paragraphs: list[ReportParagraph] | None = None) -> list[Failure]:
    """What the report's own text rests on, checked on the version's figures: part 三 lists as many
    problems as it counts, and every number in a paragraph is in the version's data."""
    paragraphs = list(version.paragraphs.all()) if paragraphs is None else paragraphs
    figures = version.figures.get("figures", {})
    out: list[Failure] = []
    listed = _v(figures, "plans.problems_listed")
    problems = version.figures.get("extra", {}).get("plans.problems")
    if listed is not None and problems is not None and len(problems) != listed:
        out.append(Failure("期内在账问题 = 第三部分列出的问题", f"{listed} ≠ {len(problems)}",
                           figures["plans.problems_listed"]["link"]))
    for p in paragraphs:
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


def stale_changes(version: ReportVersion, collected: sources.Collected) -> list[dict]:
    """The figures of the draft that differ from the records now (so the user may regenerate)."""
    stored = version.figures.get("figures", {})
    changes = []
    for key, (_, f) in collected.all_figures().items():
        old, value = stored.get(key), json_value(f.value)
        if old is None:
            changes.append({"label": f.label, "old": "—", "new": sources.plain(value)})
        elif old["value"] != value:
            changes.append({"label": f.label, "old": sources.plain(old["value"]), "new": sources.plain(value)})
    return changes


def page_check(version: ReportVersion, paragraphs: list[ReportParagraph]) -> dict:
    """What the draft page shows at once: no figure computed, a fixed number of queries."""
    left = placeholders(paragraphs)
    own = snapshot_failures(version, paragraphs)
    return {"placeholders": left, "own_failures": own, "failures": []}


def live(version: ReportVersion) -> dict:
    """The part of the 自检 that reads the records now (one reading of the period's figures): the
    relations of the shared checker that fail, and the figures that changed since the draft."""
    report = version.report
    collected = sources.collect(report.org, report.period_obj)
    raw = {app: collected.apps[app].raw for app in invariants.APPS if app in collected.apps}
    figures = version.figures.get("figures", {})
    failures = [violation_failure(v, figures) for v in invariants.violations(report.org, report.period_obj, raw)]
    paragraphs = list(version.paragraphs.all())
    left, own = placeholders(paragraphs), snapshot_failures(version, paragraphs)
    return {"placeholders": left, "own_failures": own, "failures": failures,
            "ok": not left and not own and not failures, "changes": stale_changes(version, collected)}


def selfcheck(version: ReportVersion) -> dict:
    left = placeholders(list(version.paragraphs.all()))
    failures = invariant_failures(version)
    return {"placeholders": left, "failures": failures, "ok": not left and not failures}
