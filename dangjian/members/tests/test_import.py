"""Importing a messy real-world roster: variants, exact per-row errors, idempotent re-import."""

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.members.importing import member_import_apply, member_import_plan, roster_xlsx
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db

ID_ZHAO = "370102196503011799"  # 1965-03-01, male
ID_QIAN = "370103197012059705"  # 1970-12-05, female
ID_SUN = "370104195807093218"  # 1958-07-09, male
ID_ZHOU_X = "37010219750505261X"  # ends in X, 1975-05-05, male
ID_WU = "370105198001206367"  # 1980-01-20, female


def messy_roster() -> bytes:
    """A roster as 党务 keep them: a title and a note above the header, header variants,
    every date spelling, full-width digits, stray spaces, a lowercase x, and some bad rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["和平社区党总支党员花名册"])
    ws.append(["填报单位：和平社区    填报日期：2023年9月"])
    ws.append(["序号", " 党员姓名 ", "性别", "身份证号", "出生年月", "入党时间", "转正时间", "人员类别", "支部", "手机号码", "家庭住址"])
    ws.append([1, "赵 国 强", "男", ID_ZHAO, date(1965, 3, 1), "1990.07.01", "1991.7", "离退休", "第一党支部", "138 1234 5678", "和平路1号"])
    ws.append([2, "钱秀英", "女", "３７０１０３１９７０１２０５９７０５", "1970/12/5", "19950701", "1996年7月", "在职", "第一党支部", "13900001111", "和平路2号"])
    ws.append([3, "孙立", "男", ID_SUN, "1958-07-09", "1980年6月", "", "离退休", "第九党支部", "13700002222", "和平路3号"])
    ws.append([4, "周 明", "男", ID_ZHOU_X.lower(), "1975.5.5", "2000-07-01", "2001-07-01", "在职", "第一党支部", "13600003333", "和平路4号"])
    ws.append([5, "吴敏", "女", int(ID_WU), "1980-01-20", "2005-07-01", "2006-07-01", "在职", "第一党支部", "13500004444", "和平路5号"])
    ws.append([6, "郑好", "男", "370102196503011798", "1965-03-01", "1990-07-01", "1991-07-01", "在职", "第一党支部", "13400005555", "和平路6号"])
    ws.append([7, "王重", "男", ID_ZHAO, "1965-03-01", "1990-07-01", "1991-07-01", "在职", "第一党支部", "13300006666", "和平路7号"])
    ws.append([8, "冯晓", "女", ID_QIAN, "1971-01-01", "明年", "1991-07-01", "退休工人", "第一党支部", "1330000", "和平路8号"])
    ws.append([])
    ws.append(["制表人：李华"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_reads_every_variant_of_a_messy_roster(world):
    plan = member_import_plan(messy_roster(), org=world.community, filename="roster.xlsx")
    created = {v["name"]: v for v in plan.create}
    assert sorted(created) == ["周明", "赵国强", "钱秀英"]
    zhao, qian, zhou = created["赵国强"], created["钱秀英"], created["周明"]
    assert (zhao["birth_date"], zhao["joined_on"], zhao["confirmed_on"]) == (date(1965, 3, 1), date(1990, 7, 1), date(1991, 7, 1))
    assert zhao["phone"] == "13812345678" and zhao["category"] == "离退休" and zhao["org"] == world.branch_a
    assert qian["id_number"] == ID_QIAN and qian["birth_date"] == date(1970, 12, 5) and qian["confirmed_on"] == date(1996, 7, 1)
    assert zhou["id_number"] == ID_ZHOU_X


def test_it_reports_each_rejected_row_with_its_excel_row_number_column_and_reason(world):
    plan = member_import_plan(messy_roster(), org=world.community, filename="roster.xlsx")
    errors = [(e.row, e.column, e.reason) for e in plan.rejected]
    assert plan.unmapped == {"第九党支部": [6]}
    assert errors == [
        (8, "身份证号", "身份证号被Excel存为数字，后几位已丢失，请把该列设为文本后重新填写"),
        (9, "身份证号", "校验码错误，应为9"),
        (10, "身份证号", "与第4行的身份证号重复"),
        (11, "出生年月", "出生年月1971-01-01与身份证号中的1970-12-05不一致"),
        (11, "入党时间", "日期无法识别：“明年”"),
        (11, "人员类别", "无法识别的人员类别“退休工人”，可填：在职、离退休、农民、学生、无固定收入、下岗失业、低保、个体、年薪制"),
        (11, "手机号码", "电话号码无效：“133**00”，应为11位手机号或带区号的固定电话（如010-12345678）"),
    ]


def test_it_does_not_duplicate_on_reimport_and_updates_what_changed(world):
    member_import_apply(member_import_plan(messy_roster(), org=world.community, filename="r.xlsx"))
    assert Member.objects.count() == 6
    again = member_import_plan(messy_roster(), org=world.community, filename="r.xlsx")
    assert (len(again.create), len(again.update), again.unchanged) == (0, 0, 3)
    Member.objects.filter(name="钱秀英").update(address="旧地址")
    third = member_import_apply(member_import_plan(messy_roster(), org=world.community, filename="r.xlsx"))
    assert len(third.update) == 1 and Member.objects.get(name="钱秀英").address == "和平路2号"
    assert Member.objects.count() == 6


def test_it_reimports_its_own_export_unchanged(world):
    data = roster_xlsx(world.community, Member.objects.in_org(world.community).select_related("org", "org__parent"))
    plan = member_import_plan(data, org=world.community, filename="export.xlsx")
    assert (len(plan.create), len(plan.update), plan.unchanged, plan.rejected) == (0, 0, 2, [])


def test_it_refuses_an_id_already_on_another_community_roll(world):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "公民身份号码", "所在党支部"])
    wb.active.append(["王五", world.member_c.id_number, "第一党支部"])
    buf = io.BytesIO()
    wb.save(buf)
    plan = member_import_plan(buf.getvalue(), org=world.community, filename="x.xlsx")
    assert [e.reason for e in plan.rejected] == ["该身份证号已在其他组织的名册中，请先办理组织关系转接"]


def test_it_previews_before_writing_and_books_on_confirm(world, client_for):
    client = client_for(world.worker)
    upload = io.BytesIO(messy_roster())
    upload.name = "花名册.xlsx"
    preview = client.post(reverse("member_import"), {"file": upload, "org": world.community.pk})
    assert preview.status_code == 200 and Member.objects.count() == 3
    assert "第九党支部" in preview.content.decode()
    done = client.post(reverse("member_import"), {"token": preview.context["token"], "org": world.community.pk})
    assert done.status_code == 200 and Member.objects.count() == 6


def test_it_runs_from_the_command_line_with_json(world, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(messy_roster())
    call_command("import_members", str(path), "--org", "HP", "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["accepted"], out["created"], out["updated"], len(out["rejected"])) == (3, 3, 0, 8)
    assert out["rejected"][0] == {"row": 6, "column": "支部",
                                  "reason": "在“和平社区党总支”下找不到党支部/党小组“第九党支部”（请在导入预览中为它选择党支部，或用 --map 指定）"}
    assert out["unmapped_units"] == [{"name": "第九党支部", "rows": [6]}]
    assert Member.objects.count() == 3  # dry run wrote nothing


@pytest.mark.parametrize("number_format", ["yyyy-mm-dd", "[h]:mm:ss"])
def test_a_date_cell_no_date_can_hold_is_named_not_a_crash(world, tmp_path, number_format):
    """python-calamine panics (a BaseException) on -1E+20 in a date or time cell: the clerk is told
    which sheet, row and cell, on the page and on the command line, and nothing is written."""
    from django.core.management import CommandError

    from dangjian.lib.tabular import TabularError

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["姓名", "身份证号", "入党日期", "支部"])
    ws.append(["赵国强", "370102196503011799", -1e20, "第一党支部"])
    ws["C2"].number_format = number_format
    path = tmp_path / "花名册.xlsx"
    wb.save(path)
    expected = "工作表“花名册”第2行的C2单元格设置了日期或时间格式，但其中的数字过大或过小"
    with pytest.raises(TabularError, match=f"^{expected}"):
        member_import_plan(path, org=world.community, filename=path.name)
    with pytest.raises(CommandError, match=f"^{expected}"):
        call_command("import_members", str(path), "--org", "HP")
    assert not Member.objects.filter(name="赵国强").exists()
