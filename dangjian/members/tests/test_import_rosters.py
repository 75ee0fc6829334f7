"""Importing a roster as a community really keeps it (tests/rosters.py): every correct row taken,
every broken one refused with its Excel row, column and the values compared — in every format."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.lib.tabular import TabularError
from dangjian.members.importing import member_import_apply, member_import_plan
from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind

from .rosters import (
    ID_WU,
    ID_ZHAO,
    ROSTER_CREATED,
    ROSTER_MATCHED,
    ROSTER_REJECTED,
    ROSTER_UNMAPPED,
    roster_csv,
    roster_xlsx,
)

pytestmark = pytest.mark.django_db
XLS = Path(__file__).resolve().parents[2] / "lib" / "tests" / "fixtures" / "roster.xls"
FORMATS = {
    "xlsx": ("roster.xlsx", roster_xlsx),
    "gbk-csv": ("roster.csv", lambda: roster_csv("gbk")),
    "gb18030-csv": ("roster.csv", lambda: roster_csv("gb18030")),
    "utf8-bom-csv": ("roster.csv", lambda: roster_csv("utf-8-sig")),
    "utf8-csv": ("roster.csv", lambda: roster_csv("utf-8")),
    "xls": ("roster.xls", XLS.read_bytes),
}


@pytest.fixture
def third(world) -> Org:
    return Org.objects.create(kind=OrgKind.BRANCH, name="第三党支部", code="HP-3", parent=world.community)


def plan_of(world, fmt="xlsx", **kwargs):
    filename, make = FORMATS[fmt]
    return member_import_plan(make(), org=world.community, filename=filename, **kwargs)


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_reads_the_roster_the_same_in_every_format(world, third, fmt):
    plan = plan_of(world, fmt)
    assert [v["name"] for v in plan.create] == ROSTER_CREATED
    assert [(e.row, e.column, e.reason) for e in plan.rejected] == ROSTER_REJECTED
    assert {name: rows for name, (_, rows) in plan.matched_units.items()} == ROSTER_MATCHED
    assert plan.unmapped == ROSTER_UNMAPPED


def test_it_matches_short_branch_names_to_their_branch(world, third):
    plan = plan_of(world)
    assert {name: unit for name, (unit, _) in plan.matched_units.items()} == {
        "三支部": third, "第三支部": third, "第3党支部": third, "一支部": world.branch_a, "二支部": world.branch_b}


def test_it_stores_the_birth_date_of_the_id_when_the_roster_gives_the_month(world, third):
    member_import_apply(plan_of(world))
    assert Member.objects.get(name="赵一").birth_date == date(1985, 3, 14)


def test_it_upgrades_a_15_digit_id_and_says_so_for_its_row(world, third):
    plan = plan_of(world)
    assert plan.notes == [(8, "身份证号：15位身份证号已升级为18位")]
    member_import_apply(plan)
    wu = Member.objects.get(name="吴六")
    assert (wu.id_number, wu.birth_date, wu.sex) == (ID_WU, date(1955, 3, 7), "男")


def test_it_keeps_both_the_mobile_and_the_landline(world, third):
    member_import_apply(plan_of(world))
    zhao, sun = Member.objects.get(name="赵一"), Member.objects.get(name="孙三")
    assert (zhao.phone, zhao.landline) == ("13800000001", "0531-88880001")
    assert (sun.phone, sun.landline) == ("13800000003", "")  # a mobile written under 电话


def test_it_maps_an_unknown_branch_once_for_all_its_rows(world, third):
    plan = plan_of(world, unit_map={"五支部": world.branch_b})
    assert plan.unmapped == {}
    member_import_apply(plan)
    assert set(Member.objects.filter(name__in=["冯九", "陈十", "褚十一"]).values_list("org", flat=True)) == {world.branch_b.pk}


def test_the_preview_lists_an_unknown_branch_once_with_a_select(world, third, client_for):
    client = client_for(world.worker)
    upload = io.BytesIO(roster_xlsx())
    upload.name = "花名册.xlsx"
    preview = client.post(reverse("member_import"), {"file": upload, "org": world.community.pk})
    page = preview.content.decode()
    assert page.count('<input type="hidden" name="map_name" value="五支部">') == 1
    assert "“五支部”（3行：第11、12、13行）" in page and "“三支部” → 第三党支部（2行）" in page
    assert "第8行 身份证号：15位身份证号已升级为18位" in page


def test_a_mapping_chosen_in_the_preview_applies_to_every_row_on_confirm(world, third, client_for):
    client = client_for(world.worker)
    upload = io.BytesIO(roster_xlsx())
    upload.name = "花名册.xlsx"
    token = client.post(reverse("member_import"), {"file": upload, "org": world.community.pk}).context["token"]
    mapping = {"token": token, "org": world.community.pk, "map_name": ["五支部"], "map_unit": [world.branch_b.pk]}
    again = client.post(reverse("member_import"), mapping | {"remap": "1"})
    assert again.context["plan"].unmapped == {} and len(again.context["plan"].create) == 9
    client.post(reverse("member_import"), mapping)
    assert Member.objects.filter(org=world.branch_b, name__in=["冯九", "陈十", "褚十一"]).count() == 3


def test_a_mapping_to_a_unit_outside_the_org_is_ignored(world, third, client_for):
    client = client_for(world.worker)
    upload = io.BytesIO(roster_xlsx())
    upload.name = "花名册.xlsx"
    token = client.post(reverse("member_import"), {"file": upload, "org": world.community.pk}).context["token"]
    again = client.post(reverse("member_import"), {"token": token, "org": world.community.pk, "remap": "1",
                                                   "map_name": ["五支部"], "map_unit": [world.branch_c.pk]})
    assert again.context["plan"].unmapped == ROSTER_UNMAPPED


def test_the_command_line_dry_run_names_every_refused_row(world, third, tmp_path, capsys):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(roster_xlsx())
    call_command("import_members", str(path), "--org", "和平社区党总支", "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert [e["row"] for e in out["rejected"]] == [9, 10, 11, 12, 13]
    assert (out["created"], out["rejected_rows"], Member.objects.count()) == (6, 5, 3)


def test_the_command_line_maps_a_branch_with_map(world, third, tmp_path, capsys):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(roster_xlsx())
    call_command("import_members", str(path), "--org", "和平社区党总支", "--dry-run", "--json", "--map", "五支部=第二党支部")
    out = json.loads(capsys.readouterr().out)
    assert ([e["row"] for e in out["rejected"]], out["created"]) == ([9, 10], 9)


def test_it_names_both_columns_of_a_truly_ambiguous_phone_header(world):
    data = roster_xlsx([["姓名", "身份证号", "手机", "手机号码"], ["赵一", ID_ZHAO, "13800000001", "13800000002"]])
    with pytest.raises(TabularError, match="“手机”和“手机号码”都表示“联系电话”，如果其中一列是固定电话，请把它的表头改为“固定电话”"):
        member_import_plan(data, org=world.community, filename="x.xlsx")


@pytest.mark.parametrize("data", [roster_csv("utf-16-le"), roster_csv("gbk") + bytes(range(128, 160)),
                                  roster_csv("utf-8")[:-5] + "é".encode("latin-1") + b"\n"])
def test_it_says_a_file_in_neither_utf8_nor_gbk_cannot_be_read(world, data):
    with pytest.raises(TabularError, match="文件编码无法识别（既不是UTF-8，也不是GBK/GB18030）"):
        member_import_plan(data, org=world.community, filename="x.csv")


def test_a_big5_file_is_not_read_as_gbk(world):
    data = "姓名,身份證號\n趙一,1\n".encode("big5")
    with pytest.raises(TabularError, match="文件编码无法识别"):
        member_import_plan(data, org=world.community, filename="x.csv")
