"""Grid rules as data, each with where it comes from; GridSettings (admin) overrides per deployment.

Code reads `effective()`, never a literal.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import VisitResult


@dataclass(frozen=True)
class Rule:
    value: object
    source: str
    verified: bool = True


DEFAULTS: dict[str, Rule] = {
    # 摸排 "visits every household and registers who lives there" (DOMAIN.md §7): a household
    # counts as done when someone was registered or it was found empty; 无人在家/拒绝 need a revisit.
    "done_results": Rule([VisitResult.SURVEYED.value, VisitResult.VACANT.value],
                         "社区网格化管理惯例：每户走访登记，空置户亦算完成", verified=False),
    # 高龄 is a local-policy threshold (高龄津贴 usually 80+); no national article was read.
    "elderly_age": Rule(80, "地方高龄津贴惯例（80周岁以上）", verified=False),
    # 个人信息保护法 第六条 (minimum necessary) and 第五十一条 (access control, security measures):
    # a 网格员 needs residents' phones and IDs for the door-to-door check, so may see them — logged.
    "worker_may_view_pii": Rule(True, "《个人信息保护法》第六条、第五十一条：最小必要、访问控制；每次查看均记录"),
    "worker_may_export": Rule(True, "《个人信息保护法》第五十一条：导出为高风险操作，每次导出均记录"),
}


@dataclass(frozen=True)
class GridRules:
    done_results: tuple[str, ...]
    elderly_age: int
    worker_may_view_pii: bool
    worker_may_export: bool

    def source(self, name: str) -> str:
        return DEFAULTS[name].source


def effective() -> GridRules:
    """The rules in force: the admin's GridSettings where set, else the defaults above."""
    from .models import GridSettings

    row = GridSettings.objects.order_by("pk").first()

    def pick(name: str):
        value = getattr(row, name, None) if row is not None else None
        return DEFAULTS[name].value if value in (None, "", []) else value

    return GridRules(
        done_results=tuple(pick("done_results")),
        elderly_age=int(pick("elderly_age")),
        worker_may_view_pii=bool(pick("worker_may_view_pii")),
        worker_may_export=bool(pick("worker_may_export")),
    )
