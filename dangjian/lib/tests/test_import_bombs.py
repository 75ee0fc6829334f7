"""Every import refuses a decompression bomb with a Chinese message before the file is parsed,
and a file that is no spreadsheet but carries an Excel name says what it really is."""

import functools
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import dangjian.lib.tabular as tabular
from dangjian.dues.importing import payment_import_plan
from dangjian.grid.importing import run_job
from dangjian.grid.models import ImportJob, JobStatus
from dangjian.lib import sheetcheck
from dangjian.lib.tabular import TabularError
from dangjian.meetings.importing import study_import_plan
from dangjian.members.importing import member_import_plan
from dangjian.members.models import Member
from dangjian.testing import bombs

pytestmark = pytest.mark.django_db

BOMBS = {
    # zip entries: a directory too long to walk, a part that inflates ~1000×, a forged size
    "entries": (lambda: bombs.many_entries(sheetcheck.MAX_ENTRIES + 1), "压缩条目"),
    "ratio": (lambda: bombs.inflating_sheet(8), "压缩比异常"),
    "forged": (lambda: bombs.forged_size(4), "压缩数据与目录不符"),
    # sharedStrings: one Excel-legal string copied into every cell; a shared-strings part too big
    "shared": (lambda: bombs.shared_strings_bomb(sheetcheck.MAX_PARSE_BYTES // 96_000 + 1), "需要"),
    "shared-ratio": (lambda: bombs.huge_shared_strings(4), "sharedStrings.xml"),
    # sheet dimension: declared beyond Excel, declared huge, cells at a far corner with no declaration
    "beyond": (lambda: bombs.declared_beyond(), "超出Excel的行列上限"),
    "declared": (lambda: bombs.far_corner(), "远超真实表格"),
    "corner": (lambda: bombs.far_corner("A1", "XFD1048576"), "需要"),
}


@functools.cache
def _bomb(kind: str) -> bytes:
    return BOMBS[kind][0]()


class _NoParse:
    """Stands in for python-calamine: a bomb must be refused before anything is parsed."""

    @staticmethod
    def from_path(*_args):
        raise AssertionError("the file was parsed")

    from_filelike = from_path


@pytest.fixture
def no_parse(monkeypatch):
    monkeypatch.setattr(tabular, "CalamineWorkbook", _NoParse)


def _members(world, path):
    return member_import_plan(path, org=world.community, filename=path.name)


def _study(world, path):
    return study_import_plan(path, org=world.community, filename=path.name)


def _dues(world, path):
    return payment_import_plan(path, org=world.community, members=Member.objects.all(), filename=path.name)


IMPORTS = {"members": _members, "study": _study, "dues": _dues}


@pytest.mark.parametrize("kind", BOMBS)
@pytest.mark.parametrize("importer", IMPORTS)
def test_it_refuses_every_bomb_in_every_import_before_parsing(world, tmp_path, no_parse, kind, importer):
    path = tmp_path / "炸弹.xlsx"
    path.write_bytes(_bomb(kind))
    message = BOMBS[kind][1]
    with pytest.raises(TabularError, match=message):
        IMPORTS[importer](world, path)


@pytest.mark.parametrize("kind", BOMBS)
def test_it_fails_a_resident_import_job_on_every_bomb(world, tmp_path, no_parse, kind):
    path = tmp_path / "炸弹.xlsx"
    path.write_bytes(_bomb(kind))
    message = BOMBS[kind][1]
    job = run_job(ImportJob.objects.create(community=world.community, filename=path.name, path=str(path), user=world.secretary))
    assert job.status == JobStatus.FAILED and message in job.error


def test_it_shows_the_refusal_on_the_roster_import_page(world, client):
    client.force_login(world.secretary)
    response = client.post(reverse("member_import"), {
        "org": world.community.pk, "file": SimpleUploadedFile("炸弹.xlsx", bombs.far_corner("A1", "XFD1048576"))})
    assert response.status_code == 200 and "需要" in response.content.decode()


def test_it_lets_a_real_register_through(world, tmp_path):
    from dangjian.members.importing import roster_template_xlsx

    path = tmp_path / "模板.xlsx"
    path.write_bytes(roster_template_xlsx())
    sheetcheck.check_spreadsheet(path, path.name)


def test_it_names_a_pdf_renamed_xlsx(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    with pytest.raises(TabularError, match="扩展名是.xlsx，但内容不是Excel工作簿（实际是PDF文档）"):
        _members(world, path)


def test_it_names_an_unknown_binary_renamed_xlsx(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(TabularError, match="不是Excel工作簿（是无法识别的二进制文件）"):
        _members(world, path)


def test_it_names_a_word_document_renamed_xlsx(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(TabularError, match="Word文档"):
        _members(world, path)


def test_it_refuses_a_text_file_bigger_than_any_register(world, tmp_path, monkeypatch):
    monkeypatch.setattr(sheetcheck, "MAX_TEXT_BYTES", 1000)
    path = tmp_path / "名册.csv"
    path.write_text("姓名,公民身份号码\n" + "张三,110101196503011234\n" * 100, encoding="utf-8")
    with pytest.raises(TabularError, match="文本文件有"):
        _members(world, path)


@pytest.mark.parametrize("importer", IMPORTS)
def test_it_refuses_an_xls_whose_cells_span_a_grid_of_a_gigabyte(world, tmp_path, no_parse, importer):
    path = tmp_path / "名册.xls"
    path.write_bytes(bombs.xls_far_corner())
    with pytest.raises(TabularError, match="跨256列，展开后需要约1,024 MB内存"):
        IMPORTS[importer](world, path)


def test_it_fails_a_resident_import_job_on_an_xls_bomb(world, tmp_path, no_parse):
    path = tmp_path / "登记.xls"
    path.write_bytes(bombs.xls_far_corner())
    job = run_job(ImportJob.objects.create(community=world.community, filename=path.name, path=str(path)))
    assert job.status == JobStatus.FAILED and "展开后需要约1,024 MB内存" in job.error


def test_it_passes_an_xls_whose_far_cells_are_blanks_calamine_skips():
    sheetcheck.check_spreadsheet(bombs.xls([("number", 0, 0), ("blank", 65535, 255)]), "名册.xls")


def test_it_passes_a_real_xls():
    sheetcheck.check_spreadsheet(Path(__file__).parent / "fixtures" / "roster.xls", "roster.xls")


def test_it_refuses_an_xls_over_the_size_limit_unread(monkeypatch):
    monkeypatch.setattr(sheetcheck, "MAX_XLS_BYTES", 4096)
    with pytest.raises(sheetcheck.UnsafeSpreadsheet, match=r"\.xls文件有0 MB，超过上限0 MB"):
        sheetcheck.check_spreadsheet(bombs.xls([("number", 0, 0)]), "名册.xls")


def test_it_refuses_a_broken_compound_file():
    data = bytearray(bombs.xls([("number", 0, 0)]))
    data[48:52] = (999).to_bytes(4, "little")  # the directory's first sector beyond the file
    with pytest.raises(sheetcheck.UnsafeSpreadsheet, match=".xls文件结构已损坏"):
        sheetcheck.check_spreadsheet(bytes(data), "名册.xls")
