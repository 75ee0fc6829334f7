"""A number no date or time holds, in a cell with a date or time format (-1E+20 as yyyy-mm-dd,
1E+20 as [h]:mm:ss): python-calamine 0.9 panics in Rust (a BaseException, not an Exception) or
overflows while converting it. The reader says which sheet, row and cell instead, on both of its
paths: the whole sheet (lib.tabular) and a big sheet piece by piece (lib.sheetstream)."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from dangjian.lib import sheetstream
from dangjian.lib.tabular import TabularError, read_table
from dangjian.members.importing import COLUMNS

BAD = [("yyyy-mm-dd", -1e20), ("[h]:mm:ss", 1e20), ("[h]:mm:ss", -1e20), ("hh:mm", -1e20)]


def roster(number_format: str, value: float, *, sheet: str = "党员名册", before: int = 0) -> bytes:
    """A roster of 30 rows whose 入党日期 are dates; the one in row 20 (column C) is `value`.
    `before`: that many sheets ahead of it."""
    workbook = Workbook()
    for k in range(before):
        workbook.create_sheet(f"说明{k}", 0).append(["填表说明"])
    ws = workbook.active if not before else workbook.worksheets[before]
    ws.title = sheet
    ws.append(["姓名", "公民身份号码", "入党日期"])
    for i in range(30):
        ws.append([f"党员{i}", "370102196503011799", 40000 + i])
        ws.cell(i + 2, 3).number_format = "yyyy-mm-dd"
    ws["C20"] = value
    ws["C20"].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.close()
    return buffer.getvalue()


@pytest.fixture(params=["whole", "pieces"])
def path(request, monkeypatch) -> str:
    """Each test on both paths: the sheet parsed whole, and streamed in pieces of a few rows."""
    if request.param == "pieces":
        monkeypatch.setattr(sheetstream, "STREAM_FROM_BYTES", 0)
        monkeypatch.setattr(sheetstream, "PIECE_BYTES", 300)
    else:
        monkeypatch.setattr(sheetstream, "STREAM_FROM_BYTES", 1 << 40)
    return request.param


def streamed(data: bytes, sheet: int | str = 0) -> bool:
    rows = sheetstream.open_stream(data, sheet)
    if rows is not None:
        rows.close()
    return rows is not None


@pytest.mark.parametrize(("number_format", "value"), BAD)
def test_the_reader_names_the_sheet_row_and_cell(path, number_format, value):
    data = roster(number_format, value)
    assert streamed(data) is (path == "pieces")
    with pytest.raises(TabularError) as caught:
        list(read_table(data, COLUMNS, filename="花名册.xlsx"))
    assert str(caught.value) == ("工作表“党员名册”第20行的C20单元格设置了日期或时间格式，但其中的数字过大或过小，"
                                 "超出了日期/时间能表示的范围，文件无法读取。请在Excel中把它改成正确的日期，"
                                 "或把该单元格设为“常规”或“文本”格式后再导入")


def test_a_file_on_disk_and_a_sheet_by_name(path, tmp_path: Path):
    data = roster("yyyy-mm-dd", -1e20, sheet="第二网格", before=2)
    file = tmp_path / "花名册.xlsx"
    file.write_bytes(data)
    with pytest.raises(TabularError, match="^工作表“第二网格”第20行的C20单元格"):
        list(read_table(str(file), COLUMNS, sheet="第二网格"))
    with pytest.raises(TabularError, match="^工作表“第二网格”第20行的C20单元格"):
        list(read_table(data, COLUMNS, filename="花名册.xlsx", sheet=2))


def test_a_huge_number_calamine_reads_is_a_row_error_as_before(path):
    """1E+20 as yyyy-mm-dd is read as the number (no panic): the cell's own error, not the file's."""
    errors = [item for item in read_table(roster("yyyy-mm-dd", 1e20), COLUMNS, filename="花名册.xlsx")
              if isinstance(item, list)]
    assert [(e.row, e.column, e.reason) for row in errors for e in row] == [(20, "入党日期", "日期无法识别：“1e+20”")]


def test_only_calamines_failure_is_taken_for_it():
    assert sheetstream.is_out_of_range(OverflowError("days=2147483647"))
    for other in (KeyboardInterrupt(), SystemExit(1), GeneratorExit(), ValueError("x"), MemoryError()):
        assert not sheetstream.is_out_of_range(other)


def test_without_openpyxls_help_it_still_names_the_sheet_and_row(path, monkeypatch):
    from dangjian.lib import tabular

    monkeypatch.setattr(sheetstream, "cells_out_of_range", lambda *args: [])
    monkeypatch.setattr(tabular, "cells_out_of_range", lambda *args: [])
    with pytest.raises(TabularError, match="^工作表“党员名册”第20行中有单元格设置了日期或时间格式"):
        list(read_table(roster("[h]:mm:ss", 1e20), COLUMNS, filename="花名册.xlsx"))
