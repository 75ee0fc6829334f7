"""The reference for the dues figures: the Book walk (one `Line` per member-month, added one by one),
as `dues.figures.for_period` computed them before it read the `Roll`. Slow and clear; the tests
compare the fast figures with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dangjian.dues.book import (
    Book,
    Line,
    MemberBook,
    add_months,
    candidates,
    month_label,
    month_of,
    months_between,
)
from dangjian.dues.figures import LOOKBACK_MONTHS, DuesFigures, default_asof
from dangjian.dues.models import DuesEntry, DuesSettings
from dangjian.dues.rules import RuleBook
from dangjian.lib.figures import Figure, link
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org

ZERO = Decimal("0.00")


class ReferenceFigures(DuesFigures):
    def load_members(self, rows) -> None:
        pass  # the Book read them all


@dataclass
class MemberRow:
    """One member's months in the period (the 应交 list and the arrears list)."""

    book: MemberBook
    branch: Org | None
    lines: list[Line] = field(default_factory=list)  # months in the period, up to asof's month
    due: Decimal = ZERO
    paid: Decimal = ZERO
    extra: Decimal = ZERO
    arrears: Decimal = ZERO  # overdue, in the period
    pending: Decimal = ZERO  # not yet due and not yet paid, in the period
    paid_ahead: Decimal = ZERO  # of `paid`: paid for months of the period not yet due
    overpaid: Decimal = ZERO  # of `paid`: more than a month owes (its base or relief lowered after payment)
    prepaid: Decimal = ZERO  # paid for months of the period after asof's month
    judged: bool = False  # has a month with dues past its deadline
    on_time: bool = True
    unassessed: int = 0
    owed_months: list[Line] = field(default_factory=list)  # every overdue month in the look-back window
    streak: int = 0
    level: str = ""  # "alarm" | "warn" | ""

    @property
    def member(self):
        return self.book.member

    @property
    def owed_total(self) -> Decimal:
        return sum((ln.outstanding for ln in self.owed_months), ZERO)

    @property
    def owed_label(self) -> str:
        return "、".join(ln.label for ln in self.owed_months)

    @property
    def owed_month_keys(self) -> list[str]:
        return [f"{ln.month:%Y-%m}" for ln in self.owed_months]

    @property
    def explanation(self) -> str:
        last = next((ln for ln in reversed(self.lines) if ln.due is not None), None)
        return last.explanation if last else "未核定交纳基数"

    @property
    def state(self) -> str:
        if self.unassessed and not self.due:
            return "unassessed"
        if self.arrears > 0:
            return "arrears"
        if self.pending > 0:
            return "pending"
        return "paid"


def for_period(org: Org, period: Period, asof: date | None = None, *, rulebook: RuleBook | None = None) -> DuesFigures:
    """The figures as they were computed before the Roll: one Line per member-month, walked one by one."""
    asof = asof or default_asof(period)
    rulebook = rulebook or DuesSettings.objects.rulebook()
    rules = rulebook.for_org(org)
    first, last = period.first_day, month_of(period.last_day)
    current = month_of(asof)
    window = add_months(first, -LOOKBACK_MONTHS)
    book = Book(candidates(org), first=window, last=max(last, window), asof=asof, rulebook=rulebook)

    rows: dict[int, MemberRow] = {}
    branch_totals: dict[int, dict] = {}
    month_totals: dict[date, list[Decimal]] = {m: [ZERO, ZERO] for m in months_between(first, min(last, current))}
    inside: dict[int, bool] = {}
    branch_of: dict[int, Org | None] = {}
    for mbook in book.books.values():
        for line in mbook.lines:
            org_id = line.org_id
            if org_id not in inside:
                inside[org_id] = book.orgs[org_id].path.startswith(org.path)
                branch_of[org_id] = book.branch_of(org_id)
            if not inside[org_id]:
                continue
            _add(rows, branch_totals, month_totals, mbook, line, branch_of[org_id], first, current, asof)

    member_rows = [r for r in rows.values() if r.lines or r.prepaid or r.owed_months]
    for r in member_rows:
        r.streak = r.book.streak(asof)
        member_rules = rulebook.for_org(r.book.member.org)
        if r.streak >= member_rules.value("alarm_months"):
            r.level = "alarm"
        elif r.streak >= member_rules.value("warn_months"):
            r.level = "warn"
    member_rows.sort(key=lambda r: (r.branch.path if r.branch else "", r.member.name_pinyin, r.member.pk))
    arrears_rows = sorted((r for r in member_rows if r.owed_months),
                          key=lambda r: (-r.streak, -r.owed_total, r.member.name_pinyin))

    threshold = rules.value("remit_threshold")
    large = list(DuesEntry.objects.standing().filter(org__path__startswith=org.path, paid_on__gte=first,
                                                      paid_on__lte=min(period.last_day, asof), amount__gte=threshold)
                 .select_related("member").order_by("paid_on", "pk"))

    total = {k: sum((getattr(r, k) for r in member_rows), ZERO) for k in ("due", "paid", "extra", "arrears",
                                                                             "pending", "paid_ahead", "overpaid",
                                                                             "prepaid")}
    payers = sum(1 for r in member_rows if r.due > 0)
    judged = [r for r in member_rows if r.judged]
    on_time = sum(1 for r in judged if r.on_time)
    rate = (Decimal(on_time * 100) / len(judged)).quantize(Decimal("0.1")) if judged else "—"
    warned = sum(1 for r in member_rows if r.level)
    alarmed = sum(1 for r in member_rows if r.level == "alarm")
    unassessed = sum(1 for r in member_rows if r.unassessed)
    p, o = str(period), org.pk
    by_branch = []
    for bt in sorted(branch_totals.values(), key=lambda b: book.orgs[b["id"]].path):
        judged_n, late_n = len(bt.pop("_judged")), len(bt.pop("_late"))
        bt["rate"] = round(100 * (judged_n - late_n) / judged_n, 1) if judged_n else None
        by_branch.append(bt)
    by_month = [{"month": f"{m:%Y-%m}", "label": month_label(m), "due": d, "paid": pd}
                for m, (d, pd) in month_totals.items()]
    return ReferenceFigures(
        org=org, period=period, asof=asof, rules=rules,
        members=Figure("应交党费人数", payers, link("dues_home", org=o, period=p), "人"),
        due=Figure("应交", total["due"], link("dues_home", org=o, period=p), "元"),
        paid=Figure("实交", total["paid"], link("dues_home", org=o, period=p), "元"),
        extra=Figure("自愿多交", total["extra"], link("dues_home", org=o, period=p), "元"),
        arrears=Figure("欠交", total["arrears"], link("dues_arrears", org=o, period=p), "元"),
        pending=Figure("未到期", total["pending"], link("dues_home", org=o, period=p, state="pending"), "元"),
        paid_ahead=Figure("其中未到期月份已交", total["paid_ahead"], link("dues_home", org=o, period=p), "元"),
        overpaid=Figure("其中超出应交", total["overpaid"], link("dues_home", org=o, period=p), "元"),
        prepaid=Figure("预交以后月份", total["prepaid"], link("dues_home", org=o, period=p), "元"),
        on_time_rate=Figure("按时足额率", rate, link("dues_home", org=o, period=p, state="late"), "%"),
        on_time=Figure("按时足额交纳人数", on_time, link("dues_home", org=o, period=p), "人"),
        judged=len(judged),
        warned=Figure(f"连续{rules.value('warn_months')}个月以上未交", warned,
                      link("dues_arrears", org=o, period=p, level="warn"), "人"),
        alarmed=Figure(f"连续{rules.value('alarm_months')}个月以上未交", alarmed,
                       link("dues_arrears", org=o, period=p, level="alarm"), "人"),
        unassessed=Figure("未核定基数人数", unassessed, link("dues_home", org=o, period=p, state="unassessed"), "人"),
        large_payments=Figure(f"单笔{threshold:,.0f}元以上", len(large), link("dues_entries", org=o, period=p, large=1),
                              "笔"),
        rows=member_rows, arrears_rows=arrears_rows, large_rows=large, by_branch=by_branch, by_month=by_month,
    )


def _add(rows: dict[int, MemberRow], branch_totals: dict[int, dict], month_totals: dict[date, list[Decimal]],
         mbook: MemberBook, line: Line, branch: Org, first: date, current: date, asof: date) -> None:
    """Add one member-month of the org's subtree to the member's row, its branch and its month."""
    mid = mbook.member.id
    row = rows.get(mid)
    if row is None:
        row = rows[mid] = MemberRow(mbook, None)
    row.branch = branch
    if line.month < first:
        if line.is_due(asof) and line.outstanding > 0:
            row.owed_months.append(line)
        return
    if line.month > current:
        row.prepaid += line.paid
        return
    row.lines.append(line)
    if line.due is None:
        row.unassessed += 1
        return
    row.due += line.due
    row.paid += line.paid
    row.overpaid += max(line.paid - line.due, ZERO)
    row.extra += line.extra
    month_totals[line.month][0] += line.due
    month_totals[line.month][1] += line.paid
    bt = branch_totals.setdefault(branch.pk, {"id": branch.pk, "name": branch.name, "due": ZERO, "paid": ZERO,
                                              "arrears": ZERO, "_judged": set(), "_late": set()})
    bt["due"] += line.due
    bt["paid"] += line.paid
    if line.is_due(asof):
        row.arrears += line.outstanding
        bt["arrears"] += line.outstanding
        if line.outstanding > 0:
            row.owed_months.append(line)
        if line.due > 0:
            row.judged = True
            bt["_judged"].add(mid)
            if not line.in_full_on_time:
                row.on_time = False
                bt["_late"].add(mid)
    else:
        row.pending += line.outstanding
        row.paid_ahead += line.paid

