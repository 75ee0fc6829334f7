"""The 自检 panel: what a secretary must settle before finalising — the placeholders left in the
text, and the relations between the period's figures that do not hold."""

from __future__ import annotations

from dataclasses import dataclass

from .drafting import MARKER
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
    """The relations the report's own sentences rest on, checked on the version's figures."""
    figures = version.figures.get("figures", {})
    out: list[Failure] = []
    listed, closed, still_open = (_v(figures, f"plans.problems_{k}") for k in ("listed", "closed", "open"))
    if None not in (listed, closed, still_open) and listed != closed + still_open:
        out.append(Failure("在账问题 = 已销号 + 期末未销号", f"{listed} ≠ {closed} + {still_open}",
                           figures["plans.problems_listed"]["link"]))
    problems = version.figures.get("extra", {}).get("plans.problems")
    if listed is not None and problems is not None and len(problems) != listed:
        out.append(Failure("在账问题 = 第三部分列出的问题", f"{listed} ≠ {len(problems)}", figures["plans.problems_listed"]["link"]))
    reached, missed, total = _v(figures, "meetings.reached"), _v(figures, "meetings.not_reached"), \
        version.figures.get("extra", {}).get("meetings.reach_total")
    if None not in (reached, missed, total) and reached + missed != total:
        out.append(Failure("覆盖 + 未覆盖 = 党员数", f"{reached} + {missed} ≠ {total}", figures["meetings.reached"]["link"]))
    warned, flagged = _v(figures, "meetings.lapse_warnings"), _v(figures, "meetings.lapse_flags")
    if None not in (warned, flagged) and flagged > warned:
        out.append(Failure(f"{figures['meetings.lapse_warnings']['label']} ≥ {figures['meetings.lapse_flags']['label']}",
                           f"{warned} < {flagged}", figures["meetings.lapse_warnings"]["link"]))
    for p in version.paragraphs.all():
        for key in MARKER.findall(p.source):
            if key not in figures:
                out.append(Failure("段落中的数字在本版数据中存在", f"缺少：{key}"))
    return out


def invariant_failures(version: ReportVersion) -> list[Failure]:
    """The failing relations for the report's period (the one place to switch to the shared checker)."""
    return snapshot_failures(version)


def selfcheck(version: ReportVersion) -> dict:
    left = placeholders_left(version)
    failures = invariant_failures(version)
    return {"placeholders": left, "failures": failures, "ok": not left and not failures}
