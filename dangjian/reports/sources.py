"""Where the report's numbers come from: one small adapter per app, reading only that app's
`figures.for_period(org, period)` (and, for parts 三/四, the plans app's problem/measure read-API).

The apps are always installed, so each adapter imports its app's figures module plainly, and an
error in one is a bug that raises (it is not turned into report text). Every figure gets a stable key (`members.full`, `meetings.held`, …) under which the draft's
markers, the JSON output and the appendix table refer to it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType

from dangjian.dues import figures as dues_figures
from dangjian.grid import figures as grid_figures
from dangjian.lib.figures import Figure
from dangjian.lib.periods import Period
from dangjian.meetings import figures as meetings_figures
from dangjian.members import figures as members_figures
from dangjian.orgs.models import Org
from dangjian.plans import figures as plans_figures
from dangjian.recruitment import figures as recruitment_figures


@dataclass
class AppFigures:
    """What one app contributed: its figures by key, plus structured lists (problems, measures…)."""

    app: str
    label: str
    installed: bool = True  # the snapshot's shape; every app is installed
    figures: dict[str, Figure] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    error: str = ""
    raw: object = None  # the app's figures dataclass itself (its relations() are the 自检's checks)


@dataclass
class Collected:
    org: Org
    period: Period
    apps: dict[str, AppFigures]

    def figure(self, key: str) -> Figure | None:
        app = key.split(".", 1)[0]
        source = self.apps.get(app)
        return source.figures.get(key) if source else None

    def has(self, *keys: str) -> bool:
        return all(self.figure(k) is not None for k in keys)

    def installed(self, app: str) -> bool:
        source = self.apps.get(app)
        return bool(source and source.installed and not source.error)

    def all_figures(self) -> dict[str, tuple[str, Figure]]:
        """key → (app label, figure), in app order."""
        return {k: (a.label, f) for a in self.apps.values() for k, f in a.figures.items()}


def figure_values(obj, app: str) -> dict[str, Figure]:
    """Every Figure field of an app's figures dataclass, keyed `<app>.<field>`."""
    out = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, Figure):
            out[f"{app}.{f.name}"] = value
    return out


class Source:
    app = ""
    label = ""
    figures_module: ModuleType

    def collect(self, org: Org, period: Period) -> AppFigures:
        result = AppFigures(self.app, self.label)
        result.raw = self.figures_module.for_period(org, period)
        self.fill(result, result.raw, org, period)
        return result

    def fill(self, result: AppFigures, figures, org: Org, period: Period) -> None:
        result.figures.update(figure_values(figures, self.app))


class MembersSource(Source):
    app, label, figures_module = "members", "党员名册", members_figures

    def fill(self, result, figures, org, period):
        super().fill(result, figures, org, period)
        result.extra["by_branch"] = figures.by_branch


class MeetingsSource(Source):
    app, label, figures_module = "meetings", "组织生活", meetings_figures

    def fill(self, result, figures, org, period):
        super().fill(result, figures, org, period)
        totals = figures.compliance.by_type if figures.compliance is not None else []
        types = []
        for i, row in enumerate(figures.by_type):
            key = (totals[i].key if i < len(totals) and totals[i].key else row["type_code"]) or f"t{i}"
            held = Figure(f"{row['label']}（开展）", row["held_total"], row["link"], "次")
            result.figures[f"meetings.type.{key}.held"] = held
            entry = {"key": key, "type_code": row["type_code"], "label": row["label"], "required": row["required"],
                     "held": row["held"], "missing_units": row.get("missing_units", 0), "source": row.get("source", ""),
                     # a part of "共开展组织生活N次，其中…" (支部书记讲党课 is within 党课, not a part of its own)
                     "part": row.get("part", True)}
            if row["required"] is not None:
                result.figures[f"meetings.type.{key}.required"] = Figure(
                    f"{row['label']}（应开展）", row["required"], row["link"], "次")
            types.append(entry)
        result.extra["by_type"] = types
        appraisal = meetings_figures.appraisal_for_period(org, period)
        result.figures["meetings.appraised"] = appraisal.appraised
        for code, f in zip(("excellent", "qualified", "basic", "unqualified"), appraisal.by_result, strict=True):
            result.figures[f"meetings.appraisal_{code}"] = f
        reach = figures.reach
        result.extra["reach_total"] = reach.total if reach is not None else None
        result.extra["by_tag"] = figures.by_tag
        result.extra["study_by_source"] = [{**r, "hours": float(r["hours"])} for r in figures.study_by_source]
        # The secretary the org record names, if exactly one member on its roll has that name.
        secretary = members_figures.on_roll_named(org, period, org.secretary)
        # Counted whether or not the record names someone on the roll (None counts nothing): a
        # report takes the same queries for every org, as the page benches pin.
        attended = self.figures_module.attended_by(org, period, secretary.pk if secretary else None)
        if secretary is not None:
            for k, f in attended.items():
                result.figures[f"meetings.secretary_{k}"] = f


class PlansSource(Source):
    app, label, figures_module = "plans", "计划与整改", plans_figures

    def fill(self, result, figures, org, period):
        super().fill(result, figures, org, period)
        result.extra["on_schedule_rate"] = figures.on_schedule_rate
        result.extra["problems"] = [p.as_json() for p in figures.problems]
        result.extra["open_measures"] = [m.as_json() for m in figures.open_measures]
        result.extra["campaigns"] = figures.campaigns
        # The next period's plan (part 四): what falls due then.
        items_due, milestones_due = self.figures_module.due_in(org, period.next())
        result.figures["plans.next_items_due"] = dataclasses.replace(items_due, label=f"{period.next().label}到期计划事项")
        result.figures["plans.next_milestones_due"] = dataclasses.replace(
            milestones_due, label=f"{period.next().label}时间节点")


class DuesSource(Source):
    app, label, figures_module = "dues", "党费", dues_figures

    def fill(self, result, figures, org, period):
        super().fill(result, figures, org, period)
        # 按时足额率's denominator: members with a month past its deadline in the period.
        result.figures["dues.judged"] = Figure("应按期交纳的党员", figures.judged, figures.on_time.link, "人")
        result.extra["asof"] = figures.asof.isoformat()


class GridSource(Source):
    app, label, figures_module = "grid", "网格摸排", grid_figures

    def fill(self, result, figures, org, period):
        super().fill(result, figures, org, period)
        campaigns = figures.campaigns
        # The survey's progress, over the campaigns overlapping the period (their own links).
        where = campaigns[0]["link"] if len(campaigns) == 1 else figures.households.link
        result.figures["grid.campaigns"] = Figure("户籍摸排（轮次）", len(campaigns), where, "轮")
        result.figures["grid.survey_total"] = Figure("应摸排住户", figures.survey_total, where, "户")
        result.figures["grid.survey_done"] = Figure("已完成摸排住户", figures.survey_done, where, "户")
        result.figures["grid.survey_percent"] = Figure("摸排完成率", figures.survey_percent, where, "%")
        result.extra["campaigns"] = [{k: c[k] for k in ("name", "starts_on", "deadline", "total", "done", "percent")}
                                     for c in campaigns]


class RecruitmentSource(Source):
    app, label, figures_module = "recruitment", "发展党员", recruitment_figures

    def fill(self, result, figures, org, period):
        super().fill(result, figures, org, period)
        for i, f in enumerate(figures.by_stage, start=1):
            result.figures[f"recruitment.stage_{i}"] = f
        result.extra["on"] = f"{figures.on.year}年{figures.on.month}月{figures.on.day}日"
        result.extra["people"] = figures.people


SOURCES: list[Source] = [MembersSource(), MeetingsSource(), DuesSource(), GridSource(), PlansSource(),
                         RecruitmentSource()]


def collect(org: Org, period: Period) -> Collected:
    return Collected(org=org, period=period, apps={s.app: s.collect(org, period) for s in SOURCES})


def plain(value) -> str:
    """A figure's value as the report prints it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)
