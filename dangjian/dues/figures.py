"""The dues numbers for an org subtree and a period: 应交, 实交, 欠交, 按时足额, arrears, warnings.

Everything is read from one `Roll` (a fixed number of queries for any number of members; runs of
equal months, not one object per member-month — the same numbers as walking the `Book`, which
`tests/test_roll.py` checks on random ledgers), as of `asof`: by default the period's last day, or today while the period is running, so a report for
2023Q3 shows the books as they stood at the end of that quarter. The 应交 list, the dashboard,
the duty report and `dangjian dues summary` all read these figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from dangjian.lib.crypto import EncryptedTextField
from dangjian.lib.figures import Figure, Relation, at_most, equals, link, sums_to
from dangjian.lib.periods import Period
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from .book import Line, add_months, candidates, month_end, month_label, month_of, months_between
from .models import DuesEntry, DuesSettings
from .roll import Piece, Roll, money, month_index
from .rules import ROUNDING, DuesRules, RuleBook

ZERO = Decimal("0.00")
# The large payments list shows the member's name: their encrypted fields are not decrypted for it.
ENCRYPTED = [f.name for f in Member._meta.concrete_fields if isinstance(f, EncryptedTextField)]
LOOKBACK_MONTHS = 12  # how far before the period the arrears list and the unpaid runs look

ON_TIME_DEFINITION = (
    "按时足额：统计期内每个已到交纳期限的月份，都在期限前交足了当月党费。交纳期限为当月最后一天；"
    "经支部同意按季度交纳的党员，为该季度最后一天。按时足额率＝按时足额的党员人数 ÷ 统计期内有已到期应交月份的党员人数。"
    "免交月份和未核定月份不计。"
)
ARREARS_DEFINITION = "欠交：已过交纳期限而尚未交足的金额；本月（按季度交纳的为本季度）尚未到期的不计入欠交，另列“未到期”。"
MONTH_RULE = "月份归属：某月的党费属于该月1日党员所在的党支部；预备党员自支部大会接收当月起交纳。"
STREAK_DEFINITION = "连续未交：截至统计日，已到期的月份中连续分文未交的月数（部分交纳、免交或中间转出都会中断计数）。"


class _People:
    """The members behind the rows, read when a page shows them (a summary never does)."""

    def __init__(self, roll: Roll, ids: list[int]):
        self.roll, self.ids, self.loaded = roll, ids, {}

    def load(self, ids) -> None:
        missing = [i for i in ids if i not in self.loaded]
        if missing:
            self.loaded.update(self.roll.load_members(missing))

    def get(self, mid: int) -> Member:
        if mid not in self.loaded:
            self.load(self.ids)
        return self.loaded[mid]


def _yuan(name: str) -> property:
    return property(lambda row: money(getattr(row, name)))


@dataclass(eq=False)
class MemberRow:
    """One member's months in the period (the 应交 list and the arrears list)."""

    member_id: int
    name_pinyin: str
    people: _People = field(repr=False)
    quarterly: bool = False
    branch: Org | None = None
    # Amounts in cents while the rows are added up; read in yuan (Decimal) through the properties below.
    due_cents: int = 0
    paid_cents: int = 0
    extra_cents: int = 0
    arrears_cents: int = 0  # overdue, in the period
    pending_cents: int = 0  # not yet due and not yet paid, in the period
    paid_ahead_cents: int = 0  # of `paid`: paid for months of the period not yet due
    overpaid_cents: int = 0  # of `paid`: more than a month owes (its base or relief lowered after payment)
    prepaid_cents: int = 0  # paid for months of the period after asof's month
    owed_total_cents: int = 0  # outstanding over `owed_months`
    judged: bool = False  # has a month with dues past its deadline
    on_time: bool = True
    unassessed: int = 0
    streak: int = 0
    level: str = ""  # "alarm" | "warn" | ""
    line_count: int = 0
    owed_count: int = 0
    line_pieces: list[tuple[Piece, int, int]] = field(default_factory=list, repr=False)
    owed_pieces: list[tuple[Piece, int, int]] = field(default_factory=list, repr=False)

    due = _yuan("due_cents")
    paid = _yuan("paid_cents")
    extra = _yuan("extra_cents")
    arrears = _yuan("arrears_cents")
    pending = _yuan("pending_cents")
    paid_ahead = _yuan("paid_ahead_cents")
    overpaid = _yuan("overpaid_cents")
    prepaid = _yuan("prepaid_cents")
    owed_total = _yuan("owed_total_cents")

    @property
    def member(self) -> Member:
        return self.people.get(self.member_id)

    @cached_property
    def lines(self) -> list[Line]:
        """The months in the period, up to asof's month."""
        return [p.line(i, self.quarterly) for p, a, b in self.line_pieces for i in range(a, b + 1)]

    @cached_property
    def owed_months(self) -> list[Line]:
        """Every overdue month in the look-back window and the period."""
        return [p.line(i, self.quarterly) for p, a, b in self.owed_pieces for i in range(a, b + 1)]

    @property
    def owed_month_keys(self) -> list[str]:
        """The overdue months as YYYY-MM (what the summary lists), without making their lines."""
        return [f"{i // 12:04d}-{i % 12 + 1:02d}" for _, a, b in self.owed_pieces for i in range(a, b + 1)]

    @property
    def owed_label(self) -> str:
        return "、".join(ln.label for ln in self.owed_months)

    @property
    def explanation(self) -> str:
        last = next((p for p, _, _ in reversed(self.line_pieces) if p.due is not None), None)
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


@dataclass
class DuesFigures:
    org: Org
    period: Period
    asof: date
    rules: DuesRules
    members: Figure
    due: Figure
    paid: Figure
    extra: Figure
    arrears: Figure
    pending: Figure
    paid_ahead: Figure
    overpaid: Figure
    prepaid: Figure
    on_time_rate: Figure
    on_time: Figure
    judged: int
    warned: Figure
    alarmed: Figure
    unassessed: Figure
    large_payments: Figure
    rows: list[MemberRow] = field(default_factory=list)
    arrears_rows: list[MemberRow] = field(default_factory=list)
    large_rows: list[DuesEntry] = field(default_factory=list)
    by_branch: list[dict] = field(default_factory=list)
    by_month: list[dict] = field(default_factory=list)

    definitions = {"on_time": ON_TIME_DEFINITION, "arrears": ARREARS_DEFINITION, "month": MONTH_RULE,
                   "streak": STREAK_DEFINITION, "rounding": ROUNDING}

    def load_members(self, rows) -> None:
        """Read the members of the rows a page shows (one query); otherwise the first row asked reads all."""
        if rows:
            rows[0].people.load([r.member_id for r in rows])

    def cards(self) -> list[Figure]:
        return [self.due, self.paid, self.arrears, self.on_time_rate]

    def as_json(self) -> dict:
        keys = ("members", "due", "paid", "extra", "arrears", "pending", "paid_ahead", "overpaid", "prepaid",
                "on_time_rate", "on_time",
                "warned", "alarmed", "unassessed", "large_payments")
        self.load_members(self.arrears_rows)
        return {
            "org": self.org.name, "period": str(self.period), "period_label": self.period.label,
            "asof": self.asof.isoformat(),
            **{k: getattr(self, k).as_json() for k in keys},
            "judged_members": self.judged,
            "arrears_list": [
                {"member_id": r.member.pk, "name": r.member.name, "branch": r.branch.name if r.branch else "",
                 "months": r.owed_month_keys, "amount": str(r.owed_total),
                 "consecutive_unpaid_months": r.streak, "level": r.level}
                for r in self.arrears_rows
            ],
            "large_payments_list": [
                {"entry_id": e.pk, "name": e.member.name, "paid_on": e.paid_on.isoformat(), "amount": str(e.amount)}
                for e in self.large_rows
            ],
            "by_branch": [{**b, "due": str(b["due"]), "paid": str(b["paid"]), "arrears": str(b["arrears"])}
                          for b in self.by_branch],
            "by_month": [{**m, "due": str(m["due"]), "paid": str(m["paid"])} for m in self.by_month],
            "definitions": self.definitions,
            "citation": self.rules["employed_brackets"].source,
        }

    def relations(self) -> list[Relation]:
        """What must hold between these figures (checked by `dangjian verify` and the report's 自检)."""
        due, paid, arrears, pending = self.due.value, self.paid.value, self.arrears.value, self.pending.value
        over = self.overpaid.value
        balance = Relation(
            "dues.balance", "应交 = 实交 + 欠交 + 未到期" + ("（实交中超出应交的部分除外）" if over else ""),
            {"应交": due, "实交": paid, "其中超出应交": over, "欠交": arrears, "未到期": pending},
            due == paid - over + arrears + pending)
        in_period = sum((ln.outstanding for r in self.arrears_rows for ln in r.owed_months
                         if ln.month >= self.period.first_day), ZERO)
        listed_warned = sum(1 for r in self.arrears_rows if r.level)
        return [
            balance,
            at_most("dues.paid_ahead", ("其中未到期月份已交", self.paid_ahead.value), ("实交", paid)),
            at_most("dues.streaks", (self.alarmed.label, self.alarmed.value), (self.warned.label, self.warned.value)),
            equals("dues.warned_listed", (self.warned.label, self.warned.value), ("欠交名单中预警、告警人数", listed_warned)),
            equals("dues.arrears_listed", ("欠交", arrears), ("欠交名单中本期月份合计", in_period)),
            at_most("dues.on_time", (self.on_time.label, self.on_time.value), ("应按期交纳人数", self.judged)),
            sums_to("dues.by_branch_due", ("应交", due), [(b["name"], b["due"]) for b in self.by_branch],
                    text="应交 = 各支部应交之和"),
            sums_to("dues.by_branch_paid", ("实交", paid), [(b["name"], b["paid"]) for b in self.by_branch],
                    text="实交 = 各支部实交之和"),
            sums_to("dues.by_branch_arrears", ("欠交", arrears), [(b["name"], b["arrears"]) for b in self.by_branch],
                    text="欠交 = 各支部欠交之和"),
            sums_to("dues.by_month_due", ("应交", due), {m["label"]: m["due"] for m in self.by_month},
                    text="应交 = 各月应交之和"),
            sums_to("dues.by_month_paid", ("实交", paid), {m["label"]: m["paid"] for m in self.by_month},
                    text="实交 = 各月实交之和"),
        ]


def default_asof(period: Period, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return min(today, period.last_day)


def for_period(org: Org, period: Period, asof: date | None = None, *, rulebook: RuleBook | None = None) -> DuesFigures:
    asof = asof or default_asof(period)
    rulebook = rulebook or DuesSettings.objects.rulebook()
    rules = rulebook.for_org(org)
    first, last = period.first_day, month_of(period.last_day)
    current = month_of(asof)
    window = add_months(first, -LOOKBACK_MONTHS)
    roll = Roll(candidates(org), first=window, last=max(last, window), asof=asof, rulebook=rulebook)
    zones = _Zones(month_index(first), month_index(current), month_index(asof) - (month_end(current) > asof))

    rows: dict[int, MemberRow] = {}
    people = _People(roll, [])
    branch_totals: dict[int, dict] = {}
    months = months_between(first, min(last, current))
    month_totals = ([0] * (len(months) + 1), [0] * (len(months) + 1))  # due, paid: differences month to month
    inside: dict[int, bool] = {}
    branch_of: dict[int, Org | None] = {}
    quarterly_ids, due_monthly, due_quarterly = roll.quarterly, zones.due_monthly, zones.due_quarterly
    for mid, pieces in roll.pieces.items():
        quarterly = mid in quarterly_ids
        due_until = due_quarterly if quarterly else due_monthly
        cuts = (zones.first - 1, due_until, zones.current)  # the look-back, the due months and asof's month end
        row = None
        for piece in pieces:
            org_id = piece.org_id
            if org_id not in inside:
                inside[org_id] = roll.orgs[org_id].path.startswith(org.path)
                branch_of[org_id] = roll.branch_of(org_id)
            if not inside[org_id]:
                continue
            if row is None:
                row = rows[mid] = MemberRow(mid, roll.members[mid][0], people, quarterly)
            row.branch = branch_of[org_id]
            a, last = piece.first, piece.last
            while a <= last:
                b = last
                for cut in cuts:
                    if a <= cut < b:
                        b = cut
                _add(row, branch_totals, month_totals, piece, a, b, zones, due_until)
                a = b + 1

    member_rows = [r for r in rows.values() if r.line_count or r.prepaid_cents or r.owed_count]
    people.ids = [r.member_id for r in member_rows]
    limits: dict[int, tuple[int, int]] = {}  # org id → (alarm, warn) months
    for r in member_rows:
        r.streak = _streak(roll.pieces[r.member_id],
                           zones.due_quarterly if r.quarterly else zones.due_monthly)
        member_org = roll.members[r.member_id][1]
        if member_org not in limits:
            member_rules = rulebook.for_org(roll.orgs[member_org])
            limits[member_org] = (member_rules.value("alarm_months"), member_rules.value("warn_months"))
        alarm, warn = limits[member_org]
        if r.streak >= alarm:
            r.level = "alarm"
        elif r.streak >= warn:
            r.level = "warn"
    member_rows.sort(key=lambda r: (r.branch.path if r.branch else "", r.name_pinyin, r.member_id))
    arrears_rows = sorted((r for r in member_rows if r.owed_count),
                          key=lambda r: (-r.streak, -r.owed_total_cents, r.name_pinyin))

    threshold = rules.value("remit_threshold")
    large = list(DuesEntry.objects.standing().filter(org__path__startswith=org.path, paid_on__gte=first,
                                                      paid_on__lte=min(period.last_day, asof), amount__gte=threshold)
                 .select_related("member").defer(*(f"member__{f}" for f in ENCRYPTED)).order_by("paid_on", "pk"))

    sums = [0] * 8
    for r in member_rows:
        for i, v in enumerate((r.due_cents, r.paid_cents, r.extra_cents, r.arrears_cents, r.pending_cents,
                               r.paid_ahead_cents, r.overpaid_cents, r.prepaid_cents)):
            sums[i] += v
    total = dict(zip(("due", "paid", "extra", "arrears", "pending", "paid_ahead", "overpaid", "prepaid"),
                     map(money, sums), strict=True))
    payers = sum(1 for r in member_rows if r.due_cents > 0)
    judged = [r for r in member_rows if r.judged]
    on_time = sum(1 for r in judged if r.on_time)
    rate = (Decimal(on_time * 100) / len(judged)).quantize(Decimal("0.1")) if judged else "—"
    warned = sum(1 for r in member_rows if r.level)
    alarmed = sum(1 for r in member_rows if r.level == "alarm")
    unassessed = sum(1 for r in member_rows if r.unassessed)
    p, o = str(period), org.pk
    by_branch = []
    for bt in sorted(branch_totals.values(), key=lambda b: roll.orgs[b["id"]].path):
        judged_n, late_n = len(bt.pop("_judged")), len(bt.pop("_late"))
        bt.update({k: money(bt[k]) for k in ("due", "paid", "arrears")})
        bt["rate"] = round(100 * (judged_n - late_n) / judged_n, 1) if judged_n else None
        by_branch.append(bt)
    by_month, due_sum, paid_sum = [], 0, 0
    for m, d, pd in zip(months, *month_totals, strict=False):
        due_sum, paid_sum = due_sum + d, paid_sum + pd
        by_month.append({"month": f"{m:%Y-%m}", "label": month_label(m), "due": money(due_sum), "paid": money(paid_sum)})
    return DuesFigures(
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


@dataclass(frozen=True)
class _Zones:
    """Month indexes: the period's first month, asof's month, and the last month past its deadline
    (monthly payers: the month's end; quarterly payers: the quarter's end)."""

    first: int
    current: int
    due_monthly: int

    @property
    def due_quarterly(self) -> int:
        return 3 * ((self.due_monthly - 2) // 3) + 2


def _add(row: MemberRow, branch_totals: dict[int, dict], month_totals: tuple[list[int], list[int]], piece: Piece,
         a: int, b: int, zones: _Zones, due_until: int) -> None:
    """Add months a..b of a piece (all in the org's subtree, all in one zone) to the member's row,
    its branch and its months — each month as the Book's line for it would be (amounts in cents)."""
    n, due, paid = b - a + 1, piece.due, piece.paid
    outstanding = max(due - paid, 0) if due is not None else 0
    if b < zones.first:
        if a <= due_until and outstanding > 0:
            row.owed_pieces.append((piece, a, b))
            row.owed_count += n
            row.owed_total_cents += outstanding * n
        return
    if a > zones.current:
        row.prepaid_cents += paid * n
        return
    row.line_pieces.append((piece, a, b))
    row.line_count += n
    if due is None:
        row.unassessed += n
        return
    row.due_cents += due * n
    row.paid_cents += paid * n
    row.overpaid_cents += max(paid - due, 0) * n
    row.extra_cents += piece.extra * n
    month_due, month_paid = month_totals  # months a..b: added at a, taken off after b
    month_due[a - zones.first] += due
    month_due[b - zones.first + 1] -= due
    month_paid[a - zones.first] += paid
    month_paid[b - zones.first + 1] -= paid
    branch = row.branch
    bt = branch_totals.get(branch.pk)
    if bt is None:
        bt = branch_totals[branch.pk] = {"id": branch.pk, "name": branch.name, "due": 0, "paid": 0, "arrears": 0,
                                         "_judged": set(), "_late": set()}
    bt["due"] += due * n
    bt["paid"] += paid * n
    if a <= due_until:
        row.arrears_cents += outstanding * n
        bt["arrears"] += outstanding * n
        if outstanding > 0:
            row.owed_pieces.append((piece, a, b))
            row.owed_count += n
            row.owed_total_cents += outstanding * n
        if due > 0:
            row.judged = True
            bt["_judged"].add(row.member_id)
            if piece.in_time < due:
                row.on_time = False
                bt["_late"].add(row.member_id)
    else:
        row.pending_cents += outstanding * n
        row.paid_ahead_cents += paid * n


def _streak(pieces: list[Piece], due_until: int) -> int:
    """As MemberBook.streak: consecutive months, back from the latest past its deadline, with nothing paid."""
    count, expected = 0, None
    for p in reversed(pieces):
        last = min(p.last, due_until)
        if last < p.first:
            continue
        if expected is not None and last != expected:
            break  # a gap in the roll (transferred out and back) ends the run
        if p.due is None or p.due == 0 or p.paid > 0:
            break
        count += last - p.first + 1
        expected = p.first - 1
    return count
