from datetime import date
from decimal import Decimal

from django import template

from dangjian.lib.money import fmt_money

register = template.Library()


@register.filter
def money(value) -> str:
    """Decimal("1234.5") → "1,234.50"; empty for None."""
    if value is None or value == "":
        return ""
    return fmt_money(value) if isinstance(value, Decimal | int | float | str) else str(value)


@register.filter
def ym(value) -> str:
    """date(2023, 7, 1) → "2023年7月"."""
    return f"{value.year}年{value.month}月" if isinstance(value, date) else ""


@register.filter
def state_badge(state: str) -> str:
    return {"paid": "text-bg-success", "partial": "text-bg-warning", "unpaid": "text-bg-danger",
            "exempt": "text-bg-secondary", "unassessed": "text-bg-light border", "arrears": "text-bg-danger",
            "pending": "text-bg-light border"}.get(state, "text-bg-light")  # 未到期 is not a warning
