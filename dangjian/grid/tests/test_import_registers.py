"""Importing a residents register as grid workers keep it: one sheet per grid, the address in
one 现住址 column, 手机 and 电话 side by side, 出生年月 to the month, old 15-digit IDs."""

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.grid import importing
from dangjian.grid.importing import run_job
from dangjian.grid.models import Building, ImportJob, Resident
from dangjian.grid.register import NO_BUILDING_OR_ROOM, split_address

from .conftest import rid

pytestmark = pytest.mark.django_db

HEADER = ["序号", "姓名", "性别", "身份证号", "出生年月", "与户主关系", "现住址", "手机", "电话"]
ID_SUN = rid(date(1985, 3, 14), "男", 31)
ID_ZHU = rid(date(1978, 9, 2), "男", 32)
ID_SHA = rid(date(1970, 8, 20), "男", 33)
ID_BAI = rid(date(1990, 1, 1), "男", 34)
ID_TANG = rid(date(1960, 6, 6), "男", 35)
ID_OLD = rid(date(1948, 5, 4), "女", 36)  # written in its 15-digit form
ID_WRONG = rid(date(1985, 4, 12), "男", 37)
ID_GUEST = rid(date(1999, 9, 9), "女", 38)
ID_NIU = rid(date(1966, 6, 1), "男", 39)
ID_TIE = rid(date(1968, 8, 1), "女", 40)
FIRST = [
    [1, "孙悟空", "男", ID_SUN, "1985.03", "户主", "和平小区3栋2单元401室", "13800000001", "0531-88880001"],
    [2, "猪八戒", "男", ID_ZHU, "1978年9月", "户主", "和平小区3-2-402", "", "13800000002"],
    [3, "沙和尚", "男", ID_SHA, "1970.8", "户主", "7幢1单元101", "13800000003", ""],
    [4, "白龙马", "男", ID_BAI, "1990-01", "户主", "５号楼１单元３０２室", "13800000004", ""],
    [5, "唐僧", "男", ID_TANG, "1960.06", "户主", "和平小区", "13800000005", ""],
    [6, "观音", "女", ID_OLD[:6] + ID_OLD[8:17], "1948.05", "户主", "和平小区3栋2单元403室", "", ""],
    [7, "如来", "男", ID_WRONG, "1985.03", "户主", "和平小区3栋2单元404室", "", ""],
    [8, "小客人", "女", ID_GUEST, "1999年", "租客", "和平小区1栋1单元101室", "", ""],
]
SECOND = [
    [1, "牛魔王", "男", ID_NIU, "1966.06", "户主", "和平小区2号楼1单元202室", "13800000009", ""],
    [2, "铁扇公主", "女", ID_TIE, "1968.08", "配偶", "和平小区1号楼1单元102", "", ""],
]


def register(tmp_path, sheets=None, name="居民登记.xlsx"):
    """A workbook: a 填表说明 sheet with no table, then one sheet per grid named after it."""
    sheets = sheets or {"填表说明": [["请按现住址填写，一户一行"]], "一网格": [["和平社区第一网格居民登记"], HEADER, *FIRST],
                        "2网格": [HEADER, *SECOND]}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def job_for(community, path, dry_run=False):
    return run_job(ImportJob.objects.create(community=community, filename=path.name, path=str(path), dry_run=dry_run))


@pytest.mark.parametrize(("address", "parts"), [
    ("和平小区3栋2单元401室", ("和平小区", "3号楼", "2单元", "401")),
    ("和平小区3-2-401", ("和平小区", "3号楼", "2单元", "401")),
    ("3幢2单元401", ("", "3号楼", "2单元", "401")),
    ("5号楼1单元302室", ("", "5号楼", "1单元", "302")),
    ("和平小区３栋２单元４０１室", ("和平小区", "3号楼", "2单元", "401")),
    ("和平小区３－２－４０１", ("和平小区", "3号楼", "2单元", "401")),
    ("幸福家园十二栋1单元101", ("幸福家园", "12号楼", "1单元", "101")),
    ("和平小区", None), ("和平小区3栋", None), ("和平路12号", None),
])
def test_it_splits_an_address_into_estate_building_unit_and_room(address, parts):
    assert split_address(address) == parts


@pytest.mark.parametrize("child_from_rows", [0, 10**9], ids=["second process", "one process"])
def test_it_imports_every_sheet_into_the_grid_it_is_named_after(g, tmp_path, monkeypatch, child_from_rows):
    monkeypatch.setattr(importing, "CHILD_FROM_ROWS", child_from_rows)
    job = job_for(g.world.community, register(tmp_path))
    grid_of = {r.name: r.household.grid for r in Resident.objects.filter(source_job=job)}
    assert grid_of == {"孙悟空": g.grid1, "猪八戒": g.grid1, "沙和尚": g.grid1, "白龙马": g.grid1, "观音": g.grid1,
                       "小客人": g.grid1, "牛魔王": g.grid2}
    assert (job.created, job.rejected, job.processed) == (7, 3, 10)


def test_it_refuses_each_broken_row_with_its_sheet_row_column_and_values(g, tmp_path):
    job = job_for(g.world.community, register(tmp_path))
    assert job.rejects == [
        {"sheet": "2网格", "row": 3, "column": "网格", "reason": "和平小区1号楼已登记在“第一网格”，与本行的“第二网格”不符"},
        {"sheet": "一网格", "row": 7, "column": "现住址", "reason": NO_BUILDING_OR_ROOM.format("和平小区")},
        {"sheet": "一网格", "row": 9, "column": "出生年月", "reason": "出生年月1985.03与身份证号中的1985-04-12不一致"},
    ]


def test_it_stores_the_split_address_and_the_ids_birth_date(g, tmp_path):
    job_for(g.world.community, register(tmp_path))
    sun = Resident.objects.get(name="孙悟空")
    assert (str(sun.household), sun.current_address, sun.birth_date) == (
        "和平小区3号楼2单元401室", "和平小区3栋2单元401室", date(1985, 3, 14))
    assert str(Resident.objects.get(name="猪八戒").household) == "和平小区3号楼2单元402室"


def test_it_finds_a_registered_building_however_the_address_writes_it(g, tmp_path):
    job_for(g.world.community, register(tmp_path))
    assert Resident.objects.get(name="小客人").household == g.household1  # "1栋1单元101室" is 1号楼 1单元 101
    assert Building.objects.filter(grid__community=g.world.community, estate="和平小区", name="1号楼").count() == 1


def test_it_keeps_the_mobile_and_the_landline(g, tmp_path):
    job_for(g.world.community, register(tmp_path))
    sun, zhu = Resident.objects.get(name="孙悟空"), Resident.objects.get(name="猪八戒")
    assert (sun.phone, sun.landline, zhu.phone, zhu.landline) == ("13800000001", "0531-88880001", "13800000002", "")


def test_it_upgrades_a_15_digit_id_and_notes_it_for_the_row(g, tmp_path):
    job = job_for(g.world.community, register(tmp_path))
    assert Resident.objects.get(name="观音").id_number == ID_OLD
    assert {"sheet": "一网格", "row": 8, "note": "身份证号：15位身份证号已升级为18位"} in job.notes


def test_the_result_shows_which_grid_each_sheet_went_into(g, tmp_path):
    job = job_for(g.world.community, register(tmp_path))
    assert job.notes[:2] == [{"note": "网格“一网格”按“第一网格”导入"}, {"note": "网格“2网格”按“第二网格”导入"}]


def test_a_reimport_of_the_register_changes_nothing(g, tmp_path):
    path = register(tmp_path)
    job_for(g.world.community, path)
    again = job_for(g.world.community, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)


def test_a_register_without_address_or_building_columns_says_what_is_missing(g, tmp_path):
    path = register(tmp_path, {"居民": [["姓名", "身份证号"], ["孙悟空", ID_SUN]]})
    job = job_for(g.world.community, path)
    assert job.error == "缺少必填列：楼栋、房号（或用一列“现住址”写全）"


def test_the_command_line_dry_run_lists_every_refused_row_with_its_sheet(g, tmp_path, capsys):
    path = register(tmp_path)
    call_command("import_residents", str(path), "--community", "和平社区", "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert [(e["sheet"], e["row"]) for e in out["rejects"]] == [("2网格", 3), ("一网格", 7), ("一网格", 9)]
    assert (out["created"], out["rejected"], Resident.objects.filter(name="孙悟空").count()) == (7, 3, 0)


def test_the_result_page_shows_the_sheet_of_each_refused_row_and_what_was_converted(g, tmp_path, client_for):
    job = job_for(g.world.community, register(tmp_path), dry_run=True)
    page = client_for(g.world.secretary).get(reverse("import_job", args=[job.pk])).content.decode()
    assert "<td>一网格</td><td>9</td><td>出生年月</td><td>出生年月1985.03与身份证号中的1985-04-12不一致</td>" in page
    assert "网格“一网格”按“第一网格”导入" in page and "一网格 第8行 身份证号：15位身份证号已升级为18位" in page
