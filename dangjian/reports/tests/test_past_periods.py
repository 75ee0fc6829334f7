"""A past quarter never moves: whatever is recorded today — a roster imported, a member transferred
in or out — every 2023Q3 figure stays what it was (each app's figures, the report, the dashboard),
and every figure's link opens a list as of that quarter holding as many people as the figure."""

import json
import random
import re
from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.dues import figures as dues_figures
from dangjian.dues.services import base_set, payment_record
from dangjian.grid import figures as grid_figures
from dangjian.lib.changes import records_changed
from dangjian.lib.idnumbers import make_id
from dangjian.lib.periods import Period
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.meetings import figures as meeting_figures
from dangjian.meetings.choices import Mark
from dangjian.meetings.tests.helpers import held
from dangjian.members import figures as member_figures
from dangjian.members.choices import Since
from dangjian.members.importing import member_import_apply, member_import_plan
from dangjian.members.models import Member
from dangjian.members.services import member_create, member_transfer_out
from dangjian.plans import figures as plan_figures
from dangjian.reports.services import compose
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
Q3 = Period.parse("2023Q3")
# What differs between two renderings of the same figures: the form token, and when the kept
# dashboard was drawn.
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"|csrf[^"]*" content="[^"]+"'
                  r'|数据截至 [0-9: -]+')


@pytest.fixture
def records(world):
    """和平社区's 2023: organisational life in January and in Q3, dues assessed and partly paid."""
    held(world.branch_b, "theme_day", date(2023, 1, 10), marks={world.member_b: Mark.PRESENT})
    held(world.group_a1, "group", date(2023, 7, 10), marks={world.member_a: Mark.PRESENT})
    held(world.branch_b, "theme_day", date(2023, 8, 10), marks={world.member_b: Mark.ABSENT})
    for member in (world.member_a, world.member_b):
        base_set(member=member, effective_month=date(2023, 1, 1), category="在职", base=Decimal("4000"))
    payment_record(member=world.member_a, amount=Decimal("120.00"), paid_on=date(2023, 7, 10), method="现金",
                   months=[date(2023, 7, 1), date(2023, 8, 1), date(2023, 9, 1)], today=date(2023, 7, 10))
    return world


def verify(org) -> dict:
    """`dangjian verify --org … --period 2023Q3 --json`, with its exit status."""
    out = StringIO()
    try:
        call_command("verify", org=org.name, period=str(Q3), json=True, stdout=out)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return {"status": status, "output": json.loads(out.getvalue())}


def everything(world, client) -> dict:
    """Every 2023Q3 number of 和平社区: each app's figures, the report, the dashboard page and
    what `dangjian verify` says of the quarter."""
    org = world.community
    draft = compose(org, Q3)
    page = client.get(reverse("dashboard"), {"org": org.pk, "period": str(Q3)}).content.decode()
    return {
        "members": member_figures.for_period(org, Q3).as_json(),
        "meetings": meeting_figures.for_period(org, Q3).as_json(),
        "dues": dues_figures.for_period(org, Q3).as_json(),
        "plans": plan_figures.for_period(org, Q3).as_json(),
        "grid": grid_figures.for_period(org, Q3).as_json(),
        "report": {k: v for k, v in draft.snapshot.items() if k != "generated_at"},
        "paragraphs": [(p.key, p.text) for p in draft.paragraphs],
        "dashboard": CSRF.sub("", page),
        "verify": verify(org),
    }


def roster(*rows, since: str | None = None) -> bytes:
    """A roster of long-standing members (入党 1985, 转正 1986) in the import layout."""
    headers = ["姓名", "公民身份号码", "入党日期", "转正日期", "党员状态", "所在党支部"] + (["加入本组织日期"] if since else [])
    body = [[name, make_id(date(1950, 1, 1 + i), "男", "370102", random.Random(i)), "1985-07-01",
             "1986-07-01", "正式党员", branch] + ([since] if since else []) for i, (name, branch) in enumerate(rows)]
    return write_workbook([SheetSpec(title="党员花名册", heading="党员花名册", headers=headers, rows=body,
                                     text_columns=("公民身份号码",))])


THREE = (("老党员甲", "第一党支部"), ("老党员乙", "第二党支部"), ("老党员丙", "第二党支部"))


def import_today(world, data: bytes):
    plan = member_import_plan(BytesIO(data), org=world.community, filename="roster.xlsx")
    assert not plan.rejected and len(plan.create) == 3
    return member_import_apply(plan, user=world.worker)


def test_it_leaves_every_2023q3_figure_unchanged_by_a_roster_imported_today(records, client_for):
    client = client_for(records.secretary)
    before = everything(records, client)
    import_today(records, roster(*THREE))
    assert Member.objects.filter(name__startswith="老党员").count() == 3
    assert everything(records, client) == before


def test_it_counts_imported_members_from_the_date_in_the_roster(records, client_for):
    client = client_for(records.secretary)
    before = everything(records, client)["members"]["total"]["value"]
    import_today(records, roster(*THREE, since="2023-01-01"))
    assert everything(records, client)["members"]["total"]["value"] == before + 3


def test_it_leaves_every_2023q3_figure_unchanged_by_a_transfer_in_recorded_today(records, client_for):
    client = client_for(records.secretary)
    before = everything(records, client)
    newcomer = Member(name="转入者", org=records.branch_b, category="在职", joined_on=date(2001, 7, 1),
                      confirmed_on=date(2002, 7, 1), id_number=make_id(date(1975, 3, 3), "男", "370102", random.Random(9)))
    member_create(member=newcomer, since=timezone.localdate(), reason="组织关系转入", since_reason=Since.TRANSFER_IN,
                  user=records.worker)
    assert everything(records, client) == before


def test_it_leaves_every_2023q3_figure_unchanged_by_a_transfer_out_recorded_today(records, client_for):
    client = client_for(records.secretary)
    before = everything(records, client)
    member_transfer_out(member=records.member_b, on=timezone.localdate(), to_org="外省", user=records.worker)
    assert everything(records, client) == before


def test_it_does_not_flag_a_member_for_months_before_they_joined_this_organisation(records):
    MemberFactory(name="八月转入", org=records.branch_b, since=date(2023, 8, 15))
    q3 = meeting_figures.for_period(records.community, Q3).reach
    later = meeting_figures.for_period(records.community, Period.parse("2024Q1")).reach
    assert "八月转入" not in {x.member.name for x in q3.lapses}
    [lapse] = [x for x in later.lapses if x.member.name == "八月转入"]
    assert (lapse.since, lapse.months) == ("2023年8月", 8)


def test_it_charges_no_dues_for_months_before_joining_this_organisation(records):
    newcomer = MemberFactory(name="八月转入", org=records.branch_b, since=date(2023, 8, 15))
    base_set(member=newcomer, effective_month=date(2023, 1, 1), category="在职", base=Decimal("4000"))
    rows = {r.member.name: r for r in dues_figures.for_period(records.community, Q3).rows}
    assert [ln.month.month for ln in rows["八月转入"].lines] == [9]


def test_it_opens_each_members_figure_on_a_list_of_as_many_people_as_of_the_quarter(records, client_for):
    MemberFactory(name="预备甲", org=records.branch_b, joined_on=date(2023, 3, 1), confirmed_on=None, status="预备")
    import_today(records, roster(*THREE))
    member_transfer_out(member=records.member_b, on=timezone.localdate(), to_org="外省")
    client = client_for(records.secretary)
    f = member_figures.for_period(records.community, Q3)
    for figure in (f.total, f.full, f.probationary, f.mobile, f.infirm):
        assert client.get(figure.link).context["total"] == figure.value, figure.label
    assert (f.total.value, f.probationary.value) == (3, 1)  # 张三, 李四 (transferred out today), 预备甲


def test_it_shows_the_status_a_member_had_in_the_quarter(records, client_for):
    from dangjian.members.services import member_confirm

    member = MemberFactory(name="预备甲", org=records.branch_b, joined_on=date(2023, 3, 1), confirmed_on=None, status="预备")
    member_confirm(member=member, on=date(2024, 3, 1))
    client = client_for(records.secretary)
    listed = client.get(member_figures.for_period(records.community, Q3).probationary.link).context["page"]
    assert [(m.name, m.status) for m in listed] == [("预备甲", "预备")]


@pytest.mark.parametrize("url", ["member_list", "dashboard"])
def test_its_query_count_as_of_a_quarter_does_not_grow_with_the_members(records, client_for, url,
                                                                         django_assert_num_queries):
    client = client_for(records.secretary)
    params = {"org": records.community.pk, "period": str(Q3)}
    client.get(reverse(url), params)
    records_changed.send(__name__)  # the dashboard is drawn again on both visits, not read once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url), params)
    MemberFactory.create_batch(25, org=records.branch_b)
    MemberFactory.create_batch(25, org=records.group_a1, since=date(2023, 8, 1))
    records_changed.send(__name__)
    with django_assert_num_queries(len(few)):
        client.get(reverse(url), params)


def test_it_counts_unpaid_dues_months_only_from_joining_this_organisation(records):
    newcomer = MemberFactory(name="八月转入", org=records.branch_b, since=date(2023, 8, 15))
    base_set(member=newcomer, effective_month=date(2023, 1, 1), category="在职", base=Decimal("4000"))
    rows = {r.member.name: r for r in dues_figures.for_period(records.community, Period.parse("2024Q1")).rows}
    assert rows["八月转入"].streak == 7  # 2023年9月 to 2024年3月, not from January


def test_it_opens_the_reach_figures_on_a_page_with_the_same_counts(records, client_for):
    MemberFactory(name="八月转入", org=records.branch_b, since=date(2023, 8, 15))
    import_today(records, roster(*THREE))
    f = meeting_figures.for_period(records.community, Q3)
    context = client_for(records.secretary).get(f.not_reached.link).context
    page = context["r"]
    assert (page.total, page.reached_count, page.not_reached_count) == (3, f.reached.value, f.not_reached.value)
    assert len(context["not_reached"]) == f.not_reached.value
    assert (len(page.lapses), len(page.flagged)) == (f.lapse_warnings.value, f.lapse_flags.value)
