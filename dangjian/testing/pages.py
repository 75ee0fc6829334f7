"""The pages and commands people use, at each level (community, street, district), in ONE list:
`bench/scale.py` times them at street and city size, and `test_pages.py` pins their query count
at two demo sizes, so the bench and the test cannot drift apart.

Who looks and at what is resolved from the database by role, never by a demo username: the
community secretary of the first community (by org path) and that community; the street admin of
the street above it; the district admin of the district above that, if the database has one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

LEVELS = ("community", "street", "district")
LEVEL_LABELS = {"community": "社区书记", "street": "街道管理员", "district": "区管理员"}


@dataclass
class Targets:
    """What the pages are about, resolved from one database."""

    orgs: dict  # level → Org (or None)
    users: dict  # level → User (or None)
    year: object  # Period: the last whole year
    quarter: object  # Period: the last whole quarter
    member_q: str  # pinyin initials of a member of the community
    resident_id: str  # a resident's whole ID number (18 characters)
    resident_id_hit: bool  # False: the ID could not be read back (another PII key), so it finds nobody
    resident_pinyin: str  # a resident's name in full pinyin
    resident_tail: str  # a resident's phone tail (4 digits)
    campaign: object  # grid.Campaign of the community (the latest), or None
    report: object  # reports.Report of the community (the latest), or None

    def at(self, level: str):
        return self.orgs.get(level), self.users.get(level)


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    level: str
    owner: str  # the engineer whose page it is (named in an xfail while its count grows)
    url: Callable[[Targets, object], str] | None = None  # a GET through the test client …
    call: Callable[[Targets, object], object] | None = None  # … or a command's work, called directly

    @property
    def title(self) -> str:
        return f"{self.label} · {LEVEL_LABELS[self.level]}"


def _dues_summary(t: Targets, org) -> str:
    """What `dangjian dues summary --org X --period YEAR --json` computes and prints."""
    from dangjian.dues.figures import for_period

    return json.dumps(for_period(org, t.year).as_json(), ensure_ascii=False, default=str)


def _report_draft(t: Targets, org):
    """Drafting a duty report (every app's figures, then the text), without saving it."""
    from dangjian.reports.services import compose

    return compose(org, t.quarter)


def _drawing(kind: str, period: Callable[[Targets], object]):
    """The worker's part of a kept page (dangjian/kept): drawing it from the records, which every
    visit then reads — timed apart, so that a kept page's speed hides none of its cost."""

    def draw(t: Targets, org) -> str:
        from dangjian.kept.keeping import DRAWERS

        return DRAWERS[kind](org, period(t))

    return draw


def _this_quarter(t: Targets):
    from django.utils import timezone

    from dangjian.lib.periods import Period

    return Period.of(timezone.localdate(), "quarter")


def _pages() -> list[Page]:
    pages: list[Page] = []

    def each(key, label, levels, owner, url=None, call=None):
        for level in levels:
            pages.append(Page(f"{key}@{level}", label, level, owner, url, call))

    each("members", "党员名册", LEVELS, "search", url=lambda t, o: f"/members/?org={o.pk}")
    each("members_q", "党员搜索（拼音首字母）", ("street", "district"), "search",
         url=lambda t, o: f"/members/?org={o.pk}&q={t.member_q}")
    each("dashboard", "首页", LEVELS, "dash", url=lambda t, o: f"/?org={o.pk}")
    each("dashboard_draw", "首页（后台汇总一次）", LEVELS, "dash", call=_drawing("dashboard", _this_quarter))
    each("compliance", "组织生活达标（全年）", ("street", "district"), "dash",
         url=lambda t, o: f"/meetings/compliance/?org={o.pk}&period={t.year}")
    each("compliance_draw", "组织生活达标（后台汇总一次）", ("street", "district"), "dash",
         call=_drawing("meetings.compliance", lambda t: t.year))
    each("reach", "组织生活覆盖（季度）", ("street", "district"), "dash",
         url=lambda t, o: f"/meetings/reach/?org={o.pk}&period={t.quarter}")
    each("reach_draw", "组织生活覆盖（后台汇总一次）", ("street", "district"), "dash",
         call=_drawing("meetings.reach", lambda t: t.quarter))
    each("dues_year", "党费年度汇总（dues summary --json）", ("street", "district"), "duesum", call=_dues_summary)
    each("plans", "工作计划", LEVELS, "dash", url=lambda t, o: f"/plans/?org={o.pk}")
    each("report", "述职报告起草（读数+成文）", ("community", "street"), "reports", call=_report_draft)
    each("report_page", "述职报告页", ("community",), "reports", url=lambda t, o: f"/reports/{t.report.pk}/")
    each("campaign", "摸排进度", ("community",), "dash", url=lambda t, o: f"/grid/campaigns/{t.campaign.pk}/")
    each("campaigns", "摸排任务列表", ("street", "district"), "dash", url=lambda t, o: "/grid/campaigns/")
    each("resident_id", "居民搜索 身份证号", ("street", "district"), "search",
         url=lambda t, o: f"/grid/residents/?org={o.pk}&q={t.resident_id}")
    each("resident_pinyin", "居民搜索 姓名拼音", ("street", "district"), "search",
         url=lambda t, o: f"/grid/residents/?org={o.pk}&q={t.resident_pinyin}")
    each("resident_tail", "居民搜索 手机尾号", ("street", "district"), "search",
         url=lambda t, o: f"/grid/residents/?org={o.pk}&q={t.resident_tail}")
    return pages


PAGES: list[Page] = _pages()


def district_role():
    """The district admin's role, once the orgs app has one (None before)."""
    from dangjian.orgs.models import Role

    return getattr(Role, "DISTRICT_ADMIN", None)


def _first_user(role, org_filter: dict):
    from dangjian.orgs.models import RoleAssignment

    ra = (RoleAssignment.objects.filter(role=role, user__is_active=True, **org_filter)
          .select_related("user", "org").order_by("org__path", "user_id").first())
    return (ra.org, ra.user) if ra else (None, None)


def _fake_id() -> str:
    """A well-formed ID number nobody has (its check digit computed), for a search that misses."""
    body = "11010519491231002"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def resolve_targets(today: date | None = None) -> Targets:
    """The orgs, users and search words of the pages, from the database by role."""
    from django.db.models import TextField
    from django.db.models.functions import Cast
    from django.utils import timezone

    from dangjian.grid.models import Campaign, Resident
    from dangjian.lib.crypto import blind_index, decrypt
    from dangjian.lib.periods import Period
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org, OrgKind, Role
    from dangjian.reports.models import Report

    today = today or timezone.localdate()
    community, secretary = _first_user(Role.COMMUNITY_SECRETARY, {})
    if community is None:
        raise LookupError("数据库中没有社区书记账号（先生成演示数据）")
    steps = community.path.split(".")[:-1]  # "00001.00003." → its ancestors' paths
    ancestors = list(Org.objects.filter(path__in=[".".join(steps[:i]) + "." for i in range(1, len(steps))]))
    street = next((o for o in ancestors if o.kind == OrgKind.STREET), None)
    _, street_admin = _first_user(Role.STREET_ADMIN, {"org": street}) if street else (None, None)
    district, district_admin = None, None
    if district_role() and street is not None:
        above = [o for o in ancestors if len(o.path) < len(street.path)]
        found = _first_user(district_role(), {"org__in": above}) if above else (None, None)
        district, district_admin = found
    member = Member.objects.current().filter(org__path__startswith=community.path).order_by("pk").first()
    residents = Resident.objects.current().filter(household__grid__community=community)
    resident_id, hit = _fake_id(), False
    sealed = residents.exclude(id_number="").annotate(raw=Cast("id_number", TextField()))
    for raw, id_hash in sealed.order_by("pk").values_list("raw", "id_hash")[:5]:
        try:
            number = decrypt(raw)
        except ValueError:  # a database made with another PII key: the search will find nobody
            continue
        if len(number) == 18 and blind_index(number) == id_hash:
            resident_id, hit = number, True
            break
    named = residents.exclude(name_pinyin="").order_by("pk").first()
    tailed = residents.exclude(phone_tail="").order_by("pk").first()
    return Targets(
        orgs={"community": community, "street": street, "district": district},
        users={"community": secretary, "street": street_admin, "district": district_admin},
        year=Period.parse(str(today.year - 1)),
        quarter=Period.of(today, "quarter").previous(),
        member_q=(member.name_initials[:2] if member else "zs"),
        resident_id=resident_id, resident_id_hit=hit,
        resident_pinyin=named.name_pinyin if named else "zhang",
        resident_tail=tailed.phone_tail if tailed else "1234",
        campaign=Campaign.objects.filter(community=community).order_by("-starts_on", "-pk").first(),
        report=Report.objects.filter(org=community).order_by("-pk").first(),
    )


def statements(captured) -> list[str]:
    """The SQL of a CaptureQueriesContext without savepoints: a view's `atomic` issues them only
    when a bench or a test already holds a transaction, never in production."""
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"][:30].upper()]


def runner(page: Page, targets: Targets, client_factory) -> Callable[[], object] | None:
    """A no-argument function that does the page once (None when its level has no user here).
    `client_factory(user)` gives a logged-in test client."""
    org, user = targets.at(page.level)
    if org is None or user is None:
        return None
    if (page.key.startswith("campaign@") and targets.campaign is None) or (
            page.key.startswith("report_page@") and targets.report is None):
        return None
    if page.call is not None:
        return lambda: page.call(targets, org)
    client, url = client_factory(user), page.url(targets, org)

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"{page.title}: GET {url} → {response.status_code}")
        return response

    get.url = url  # type: ignore[attr-defined]
    return get
