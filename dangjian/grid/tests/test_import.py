"""Importing a residents register: streamed, batched, re-import updates, rejects say why in Chinese."""

import json
import os
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.grid import importing
from dangjian.grid.importing import HEADERS, run_job
from dangjian.grid.models import Building, Grid, Household, ImportJob, Resident
from dangjian.jobs import lease
from dangjian.jobs.models import WorkerProcess
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.orgs.models import AccessLog

from .conftest import rid

pytestmark = pytest.mark.django_db


def row(name="孙悟空", id_number=None, *, grid="第三网格", estate="花园小区", building="8号楼", unit="2单元", door="302",
        phone="13800138000", tags="", **extra):
    values = {"网格": grid, "小区": estate, "楼栋": building, "单元": unit, "房号": door, "姓名": name,
              "公民身份号码": id_number or rid(date(1980, 1, 1), "男", 21), "联系电话": phone, "标签": tags} | extra
    return [values.get(h, "") for h in HEADERS]


def xlsx(tmp_path, rows, name="居民.xlsx"):
    path = tmp_path / name
    path.write_bytes(write_workbook([SheetSpec(title="居民", headers=HEADERS, rows=rows, text_columns=("公民身份号码",))]))
    return path


def job_for(community, path, dry_run=False, user=None):
    return run_job(ImportJob.objects.create(community=community, filename=path.name, path=str(path), dry_run=dry_run,
                                            user=user))


def test_it_builds_grid_building_household_and_resident(world, tmp_path):
    job = job_for(world.community, xlsx(tmp_path, [row()]))
    r = Resident.objects.get()
    assert (job.created, r.household.grid.name, str(r.household)) == (1, "第三网格", "花园小区8号楼2单元302室")


def test_it_updates_on_reimport_instead_of_duplicating(world, tmp_path):
    job_for(world.community, xlsx(tmp_path, [row(phone="13800138000")]))
    job = job_for(world.community, xlsx(tmp_path, [row(phone="13900139000")], "第二次.xlsx"))
    assert (job.created, job.updated, Resident.objects.count()) == (0, 1, 1)
    assert Resident.objects.get().phone == "13900139000"


def test_it_keeps_history_of_an_import_update(world, tmp_path):
    job_for(world.community, xlsx(tmp_path, [row(phone="13800138000")]))
    job_for(world.community, xlsx(tmp_path, [row(phone="13900139000")], "第二次.xlsx"))
    records = list(Resident.objects.get().history.order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[1].diff_against(records[0]).changed_fields == ["phone"]


def test_it_counts_an_identical_reimport_as_unchanged(world, tmp_path):
    path = xlsx(tmp_path, [row(), row("猪八戒", rid(date(1981, 2, 2), "男", 22))])
    job_for(world.community, path)
    job = job_for(world.community, path)
    assert (job.created, job.updated, job.unchanged) == (0, 0, 2)


@pytest.mark.parametrize("child_from_rows", [0, 10**9], ids=["second process", "one process"])
def test_a_reimport_compares_every_column_as_stored(world, tmp_path, monkeypatch, child_from_rows):
    # Dates, tags, the phone (sealed in the table) and a note read back equal to the file's values.
    monkeypatch.setattr(importing, "CHILD_FROM_ROWS", child_from_rows)
    full = row(tags="高龄", 迁入日期=date(2010, 5, 1), 备注="老党员家属", 与户主关系="户主", 户籍类型="外来人口",
               户籍地址="河南省郑州市", 现住址="花园小区8号楼2单元302室")
    path = xlsx(tmp_path, [full])
    assert job_for(world.community, path).created == 1
    again = job_for(world.community, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = job_for(world.community, xlsx(tmp_path, [full[:14] + ["13900000000"] + full[15:]], "改.xlsx"))
    assert (changed.updated, Resident.objects.get().phone) == (1, "13900000000")


def test_it_rejects_a_duplicate_id_in_the_file_naming_the_first_row(world, tmp_path):
    same = rid(date(1980, 1, 1), "男", 21)
    job = job_for(world.community, xlsx(tmp_path, [row(id_number=same), row("孙行者", same, door="303")]))
    assert (job.created, job.rejects) == (1, [{"row": 3, "column": "公民身份号码", "reason": "与第2行的身份证号重复"}])


def test_it_finds_a_duplicate_in_a_later_batch(world, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 2)
    same = rid(date(1980, 1, 1), "男", 21)
    rows = [row(id_number=same), row("甲", rid(date(1982, 1, 1), "男", 23)), row("乙", rid(date(1983, 1, 1), "男", 24)),
            row("孙行者", same, door="303")]
    job = job_for(world.community, xlsx(tmp_path, rows))
    assert job.rejects == [{"row": 5, "column": "公民身份号码", "reason": "与第2行的身份证号重复"}]
    assert Resident.objects.count() == 3


def test_it_says_why_each_bad_row_is_rejected(world, tmp_path):
    rows = [row(id_number="370102198001011234"), row("白骨精", rid(date(1990, 1, 1), "女", 25), tags="妖怪"),
            row("牛魔王", rid(date(1970, 1, 1), "男", 26), 性别="女"), row("红孩儿", rid(date(2010, 1, 1), "男", 27), building="")]
    job = job_for(world.community, xlsx(tmp_path, rows))
    reasons = {e["row"]: (e["column"], e["reason"]) for e in job.rejects}
    assert reasons[2][0] == "公民身份号码" and "校验码错误" in reasons[2][1]
    assert reasons[3][0] == "标签" and "未知标签“妖怪”" in reasons[3][1]
    assert reasons[4] == ("性别", "性别“女”与身份证号不一致（身份证号为男）")
    assert reasons[5] == ("楼栋", "必填项为空")
    assert job.rejected == 4 and job.created == 0


def test_it_writes_nothing_on_a_dry_run(world, tmp_path):
    job = job_for(world.community, xlsx(tmp_path, [row()]), dry_run=True)
    assert job.created == 1
    assert (Resident.objects.count(), Household.objects.count(), Grid.objects.count()) == (0, 0, 0)


def test_it_links_party_members_by_id(world, tmp_path):
    member = world.member_b
    job = job_for(world.community, xlsx(tmp_path, [row(member.name, member.id_number)]))
    assert job.members_linked == 1 and Resident.objects.get().member == member


def test_it_does_not_bring_back_someone_who_moved_out(world, tmp_path):
    from dangjian.grid import services

    path = xlsx(tmp_path, [row()])
    job_for(world.community, path)
    services.resident_move_out(resident=Resident.objects.get(), on=date(2024, 1, 1))
    job = job_for(world.community, path)
    assert job.created == 0 and "已办理迁出" in job.rejects[0]["reason"]


def test_it_refuses_a_resident_living_in_another_community(world, tmp_path):
    path = xlsx(tmp_path, [row()])
    job_for(world.community, path)
    job = job_for(world.other_community, path)
    assert "其他社区" in job.rejects[0]["reason"]


def test_it_refuses_a_building_registered_in_another_grid(world, tmp_path):
    job_for(world.community, xlsx(tmp_path, [row()]))
    job = job_for(world.community, xlsx(tmp_path, [row("沙僧", rid(date(1985, 1, 1), "男", 28), grid="第四网格")], "b.xlsx"))
    assert "已登记在“第三网格”" in job.rejects[0]["reason"]


def test_it_reads_csv_too(world, tmp_path):
    path = tmp_path / "居民.csv"
    lines = [",".join(HEADERS), ",".join(str(v) for v in row())]
    path.write_text("\n".join(lines), encoding="gbk")
    assert job_for(world.community, path).created == 1


def test_it_fails_the_job_with_a_reason_for_an_unreadable_file(world, tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    job = job_for(world.community, path)
    assert job.status == "failed" and "无法读取" in job.error


def test_it_logs_a_real_import_as_personal_data_access(world, tmp_path):
    job_for(world.community, xlsx(tmp_path, [row()]), user=world.secretary)
    assert AccessLog.objects.get().action == AccessLog.Action.IMPORT


def test_every_household_and_resident_created_gets_one_creation_record(world, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 2)  # households created over several batches
    people = [row(f"居民{i}", rid(date(1960 + i, 1, 1), "男", i + 1), door=str(101 + i // 2)) for i in range(7)]
    job_for(world.community, xlsx(tmp_path, people), user=world.secretary)
    job = job_for(world.community, xlsx(tmp_path, [row("新人", rid(date(1990, 1, 1), "女", 1), door="901")], "第二次.xlsx"),
                  user=world.secretary)
    assert job.created == 1
    for model, count in ((Household, 5), (Resident, 8)):
        records = model.history.filter(history_type="+")
        assert sorted(records.values_list("id", flat=True)) == sorted(model.objects.values_list("pk", flat=True))
        assert len(records) == count and {(r.history_user, r.history_change_reason[:2]) for r in records} == {
            (world.secretary, "导入")}


def test_it_reimports_its_own_export_unchanged(g, client_for, tmp_path):
    content = client_for(g.world.secretary).get(reverse("grid_export", args=[g.grid1.pk])).content
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    job = job_for(g.world.community, path)
    assert (job.created, job.updated, job.unchanged, job.rejected) == (0, 0, 2, 0)


def test_it_logs_the_export(g, client_for):
    client_for(g.world.secretary).get(reverse("grid_export", args=[g.grid1.pk]))
    log = AccessLog.objects.get()
    assert log.action == AccessLog.Action.EXPORT and "第一网格" in log.target


def test_it_runs_upload_check_and_apply_from_the_page(world, client_for, tmp_path, no_thread):
    client = client_for(world.secretary)
    with xlsx(tmp_path, [row()]).open("rb") as fh:
        response = client.post(reverse("resident_import"), {"file": fh, "community": world.community.pk, "dry_run": "on"})
    job = ImportJob.objects.get()
    assert response.url == reverse("import_job", args=[job.pk]) and job.created == 1 and Resident.objects.count() == 0
    client.post(reverse("import_job_apply", args=[job.pk]))
    assert Resident.objects.count() == 1


def test_it_shows_the_progress_bar_while_a_job_runs(world, client_for):
    from dangjian.jobs.models import Job
    from dangjian.jobs.worker import new_worker_id

    worker = new_worker_id()
    WorkerProcess.objects.create(worker_id=worker, host=lease.HOST, pid=os.getpid())
    background = Job.objects.create(kind="resident_import", label="x", status="running", done=250, total=1000,
                                    task_id="t", worker_id=worker)
    job = ImportJob.objects.create(community=world.community, filename="x.xlsx", path="/nonexistent", status="running",
                                   total_estimate=1000, job=background)
    response = client_for(world.secretary).get(reverse("import_job_status", args=[job.pk]))
    assert "250 / 1000" in response.content.decode() and 'aria-valuenow="25"' in response.content.decode()


def test_a_finished_job_shows_the_rows_it_read_as_its_total(world, tmp_path, client_for):
    # The file's own estimate counts its title row; once done, the total is what was read.
    path = tmp_path / "登记.xlsx"
    path.write_bytes(write_workbook([SheetSpec(title="居民", heading="和平社区居民登记表", headers=HEADERS,
                                               rows=[row(), row("猪八戒", rid(date(1981, 2, 2), "男", 22))],
                                               text_columns=("公民身份号码",))]))
    job = job_for(world.community, path)
    page = client_for(world.secretary).get(reverse("import_job", args=[job.pk])).content.decode()
    assert (job.processed, job.total_estimate) == (2, 2) and "2 / 2" in page


def test_it_marks_a_job_interrupted_by_a_restart_as_failed(world, client_for):
    job = ImportJob.objects.create(community=world.community, filename="x.xlsx", path="/nonexistent", status="running")
    client_for(world.secretary).get(reverse("import_job", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "failed" and "中断" in job.error


def test_it_imports_from_the_command_line_as_json(world, tmp_path, capsys):
    call_command("import_residents", str(xlsx(tmp_path, [row()])), community="和平社区", json=True)
    out = json.loads(capsys.readouterr().out)
    assert (out["created"], out["rejected"], out["dry_run"]) == (1, 0, False)


def test_it_checks_only_on_a_command_line_dry_run(world, tmp_path, capsys):
    call_command("import_residents", str(xlsx(tmp_path, [row()])), community="HP", dry_run=True, json=True)
    assert json.loads(capsys.readouterr().out)["created"] == 1 and Resident.objects.count() == 0


def test_it_estimates_the_rows_of_a_file_without_reading_it(tmp_path):
    path = xlsx(tmp_path, [row(door=str(n)) for n in range(300)])
    assert 250 <= importing.estimate_rows(path) <= 350


names = st.text(alphabet="张王李赵刘陈杨黄周吴伟芳娜敏静丽强磊军洋", min_size=2, max_size=3)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(names, st.integers(1, 300), st.sampled_from(["101", "102", "201"])), min_size=1, max_size=12))
def test_it_imports_any_register_once_and_reimports_it_unchanged(world, tmp_path, people):
    Resident.objects.all().delete()
    rows = [row(n, rid(date(1950, 1, 1), "男", seq), door=door) for n, seq, door in people]
    path = xlsx(tmp_path, rows)
    first = job_for(world.community, path)
    unique_ids = len({rid(date(1950, 1, 1), "男", seq) for _, seq, _ in people})
    assert first.created == unique_ids and first.rejected == len(people) - unique_ids
    second = job_for(world.community, path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, unique_ids)
    assert Building.objects.filter(grid__community=world.community).count() == 1


def test_imported_residents_get_the_search_keys_the_roster_computes(world, tmp_path):
    from dangjian.lib.pinyin import full_pinyin, initials

    names = ["张三", "曾小明", "单于长风", "Mary王", "欧阳娜娜", "吕布"]
    path = xlsx(tmp_path, [row(name=n, id_number=rid(date(1960, 1, 1), "男", i + 1), door=str(i)) for i, n in enumerate(names)])
    assert job_for(world.community, path).created == len(names)
    stored = {r.name: (r.name_initials, r.name_pinyin) for r in Resident.objects.all()}
    assert stored == {n: (initials(n), full_pinyin(n)) for n in names}


def test_a_large_file_is_prepared_in_a_second_process_with_the_same_outcome(world, tmp_path, monkeypatch):
    from dangjian.grid import register

    people = [row(name=f"居民{i}", id_number=rid(date(1950 + i, 1, 1), "女" if i % 2 else "男", i + 1), door=str(101 + i % 5),
                  tags="高龄" if i % 3 else "") for i in range(30)]
    people += [row(name="重复", id_number=rid(date(1950, 1, 1), "男", 1)), row(name="", id_number=rid(date(1990, 1, 1), "男", 9)),
               row(name="错号", id_number="110101199001011234")]
    path = xlsx(tmp_path, people)
    inline = job_for(world.community, path, dry_run=True)
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        return register.prepared_in_child(*args, **kwargs)

    monkeypatch.setattr(importing, "CHILD_FROM_ROWS", 0)
    monkeypatch.setattr(importing, "prepared_in_child", spy)
    job = job_for(world.community, path)
    assert len(calls) == 1 and job.status == "done"
    assert (job.created, job.rejected, job.rejects) == (inline.created, inline.rejected, inline.rejects) == (30, 3, job.rejects)
    assert Resident.objects.count() == Resident.history.filter(history_type="+").count() == 30
    assert Resident.objects.get(name="居民1").phone == "13800138000"  # sealed by the importer, read back here


@pytest.mark.parametrize("child_from_rows", [0, 10**9], ids=["second process", "one process"])
def test_imported_ids_and_phones_are_stored_sealed_in_the_table_and_its_history(world, tmp_path, monkeypatch,
                                                                                 child_from_rows):
    from django.db import connection

    monkeypatch.setattr(importing, "CHILD_FROM_ROWS", child_from_rows)
    id_number = rid(date(1980, 1, 1), "男", 21)
    assert job_for(world.community, xlsx(tmp_path, [row(id_number=id_number, phone="13812345678")])).created == 1
    for table in ("grid_resident", "grid_historicalresident"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id_number, phone FROM {table}")  # noqa: S608 — our own table names
            stored = cursor.fetchall()
        assert len(stored) == 1 and id_number not in stored[0][0] and "13812345678" not in stored[0][1]
    resident = Resident.objects.get()
    assert (resident.id_number, resident.phone, resident.phone_tail) == (id_number, "13812345678", "5678")


def test_a_file_the_second_process_cannot_read_fails_the_job_with_the_reason(world, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHILD_FROM_ROWS", 0)
    path = tmp_path / "名单.csv"
    path.write_text("姓名,备注\n张三,无\n", encoding="utf-8")
    job = job_for(world.community, path)
    assert job.status == "failed" and "缺少必填列" in job.error


def test_the_insert_columns_are_every_column_of_a_resident():
    columns = {f.attname for f in Resident._meta.concrete_fields if not f.primary_key}
    assert set(importing.INSERT_COLUMNS) == columns and len(importing.INSERT_COLUMNS) == len(columns)


def test_a_known_resident_twice_in_a_reimport_is_rejected_the_second_time(world, tmp_path, monkeypatch):
    same = rid(date(1970, 5, 5), "女", 7)
    job_for(world.community, xlsx(tmp_path, [row("王芳", same)]))
    monkeypatch.setattr(importing, "BATCH", 2)  # the repeat comes in a later batch, so only the database knows
    rows = [row("王芳", same), row("李强", rid(date(1971, 1, 1), "男", 8), door="303"), row("王芳", same, door="304")]
    job = job_for(world.community, xlsx(tmp_path, rows, "第二次.xlsx"))
    assert (job.unchanged, job.created, job.rejected) == (1, 1, 1)
    assert job.rejects == [{"row": 4, "column": "公民身份号码", "reason": "与第2行的身份证号重复"}]
    assert Resident.objects.get(name="王芳").source_job_id == job.pk


def test_a_reading_process_that_dies_fails_the_job_and_says_so(world, tmp_path, monkeypatch):
    from dangjian.grid import register

    monkeypatch.setattr(importing, "CHILD_FROM_ROWS", 0)
    monkeypatch.setattr(register.sys, "executable", "/bin/false")
    job = job_for(world.community, xlsx(tmp_path, [row()]))
    assert job.status == "failed" and "读取进程意外退出（退出码 1）" in job.error
    assert not Resident.objects.exists()


def test_the_reading_process_reports_an_unexpected_error_as_a_frame(monkeypatch):
    import io
    import pickle

    from dangjian.grid import register

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘坏了")
        yield  # pragma: no cover

    monkeypatch.setattr(register, "prepared_batches", broken)
    out = io.BytesIO()
    register.send_batches("x.xlsx", {"filename": "x.xlsx", "known_tags": frozenset(), "size": 10, "dates_as_text": False}, out)
    kind, payload = pickle.loads(out.getvalue())
    assert kind == "crash" and payload.strip().endswith("RuntimeError: 磁盘坏了")
