"""lib.sheetstream reads a big sheet piece by piece: the same rows, row for row, as python-calamine's
whole-sheet parse, and the same Rows and errors through read_table.

Every file here is small; the threshold and the piece size are lowered so each is streamed in
many pieces (a piece is at least one row)."""

import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from dangjian.grid.register import COLUMNS as RESIDENT_COLUMNS
from dangjian.lib import sheetstream
from dangjian.lib.tabular import Column, RowError, TabularError, read_table
from dangjian.members.importing import COLUMNS as MEMBER_COLUMNS
from dangjian.testing import bombs


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheetstream, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(sheetstream, "PIECE_BYTES", 300)


def whole_rows(data: bytes, sheet: int = 0) -> tuple[tuple[int, int] | None, list[tuple[int, list[Any]]]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    worksheet = workbook.get_sheet_by_index(sheet)
    if worksheet.start is None:
        return None, []
    return worksheet.start, list(enumerate(worksheet.iter_rows(), start=1))


def framed(rows: list[tuple[int, list[Any]]], left: int) -> list[tuple[int, list[Any]]]:
    """The non-empty rows, each from column `left` and without its trailing empty cells."""
    out = []
    for number, cells in rows:
        cells = list(cells[left:])
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            out.append((number, cells))
    return out


def assert_same_rows(data: bytes, sheet: int = 0) -> list[tuple[int, list[Any]]]:
    start, whole = whole_rows(data, sheet)
    rows = sheetstream.open_stream(data, sheet)
    assert rows is not None, "the sheet was not streamed"
    streamed = list(rows)
    if start is None:
        assert framed(streamed, 0) == []
        return []
    # Each row keeps its position: row n is the n-th, as in calamine's iter_rows.
    assert [n for n, _ in streamed] == list(range(1, len(streamed) + 1))
    assert all(cells == [""] * len(cells) for _, cells in streamed[: start[0]])
    assert all(cells[: start[1]] == [""] * start[1] for _, cells in streamed if cells)
    expected = framed(whole, 0)
    got = framed(streamed, start[1])
    assert got == expected
    # Same types too (1 == 1.0 == True would hide a bool or int where calamine gives a float).
    assert [[type(c) for c in cells] for _, cells in got] == [[type(c) for c in cells] for _, cells in expected]
    return got


def as_outcomes(items: Any) -> list[Any]:
    return [(type(i).__name__, list(i) if isinstance(i, list) else (i.number, i.values, i.headers, i.notes))
            for i in items]


def assert_same_table(data: bytes, columns: list[Column], monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(sheetstream, "STREAM_FROM_BYTES", 1 << 40)
        try:
            expected = as_outcomes(read_table(data, columns, filename="a.xlsx"))
        except TabularError as exc:
            expected = str(exc)
    try:
        got = as_outcomes(read_table(data, columns, filename="a.xlsx"))
    except TabularError as exc:
        got = str(exc)
    assert got == expected


def saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Files an office program writes (openpyxl: shared strings, styles with date formats)


def register(rows: int = 300) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws["B2"] = "和平社区党员名册"
    ws.merge_cells("B2:H2")
    ws.append([])
    ws.append([None, "姓名", "性别", "身份证号", "出生日期", "入党日期", "联系电话", "备注"])
    for i in range(rows):
        born = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        ws.append([
            None, f"张{i % 40}", "男女"[i % 2],
            f"11010119{50 + i % 50}0101{i % 10}{i % 9}{i % 8}X" if i % 7 else 11010119500101123.0,
            born if i % 3 else (f"{born:%Y.%m}" if i % 2 else 19650301),
            datetime(1990, 1, 1, 8, 30) if i % 11 == 0 else (None if i % 5 == 0 else date(1990 + i % 30, 7, 1)),
            f"13{i:09d}" if i % 4 else int(f"13{i:09d}"),
            None if i % 6 else "  退休 \n 党员 ",
        ])
        if i % 37 == 0:
            ws.append([])  # a blank row in the middle
    ws.cell(ws.max_row + 3, 2, "制表人：李四")
    return saved(wb)


def test_a_register_streams_row_for_row_as_calamine_reads_it(streamed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    data = register()
    rows = assert_same_rows(data)
    assert len(rows) > 300
    assert_same_table(data, list(MEMBER_COLUMNS), monkeypatch)


def test_a_residents_register_gives_the_same_rows_and_errors(streamed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.grid_import import generate

    path = Path(__import__("tempfile").mkdtemp()) / "register.xlsx"
    generate(path, 400)
    data = path.read_bytes()
    assert_same_rows(data)
    assert_same_table(data, list(RESIDENT_COLUMNS), monkeypatch)
    # The path (what the import's reading process opens) and bytes read alike.
    assert as_outcomes(read_table(path, RESIDENT_COLUMNS)) == as_outcomes(read_table(data, RESIDENT_COLUMNS, filename="a.xlsx"))


CELL = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("张三李 四\t\n&<>\"'ＡＢ１２x0-._"), max_size=8),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 12, 31)),
    st.times(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(st.tuples(st.integers(1, 60), st.integers(1, 12), CELL), max_size=120),
    number_format=st.sampled_from(["General", "yyyy-mm-dd", "0.00", "@", "[h]:mm:ss", "yyyy\"年\"m\"月\"", "0"]),
)
def test_any_sheet_streams_as_calamine_reads_it(streamed: None, cells: list[tuple[int, int, Any]], number_format: str) -> None:
    wb = Workbook()
    ws = wb.active
    for row, column, value in cells:
        cell = ws.cell(row, column, value)
        # A date or duration beyond chrono's range panics python-calamine 0.9.1 (whole sheet or piece alike).
        huge = isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > 10**6
        if row % 3 == 0 and not huge:
            cell.number_format = number_format
    data = saved(wb)
    if sheetstream.open_stream(data) is None:  # openpyxl writes no <sheetData> rows for an empty sheet
        return
    assert_same_rows(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.sampled_from(["张三", " 李四 ", "王\u3000五", "", None, "姓名"]),
    st.one_of(st.none(), st.sampled_from(["110101195001011234", "11010150010112", "1101011950010112", ""]),
              st.integers(10**16, 10**18 - 1)),
    st.one_of(st.none(), st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
              st.sampled_from(["1965.3", "1965年3月", "19650301", "1965.10", "bad"]), st.integers(0, 80000),
              st.floats(1800, 2200, allow_nan=False)),
    st.one_of(st.none(), st.sampled_from(["13812341234", "010-12345678", "12"]), st.integers(13000000000, 13999999999)),
), max_size=60))
def test_any_roster_gives_the_same_rows_and_errors(streamed: None, monkeypatch: pytest.MonkeyPatch, rows: list[tuple]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["名册"])
    ws.append(["姓名", "身份证号", "出生日期", "联系电话"])
    for k, row in enumerate(rows):
        ws.append(list(row))
        if k % 9 == 4:
            ws.append([])
    assert_same_table(saved(wb), list(MEMBER_COLUMNS), monkeypatch)


# ---------------------------------------------------------------------------------------------
# XML that other writers produce, written by hand


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="49"/></cellXfs>'
    "</styleSheet>"
)


def handmade(sheet_data: str, strings: list[str], date1904: bool = False, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f' xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = f"<{p}worksheet{ns}><{p}dimension ref=\"A1:Z99\"/><{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>"
    shared = f'<{p}sst{ns}>' + "".join(strings) + f"</{p}sst>"
    workbook = bombs._WORKBOOK.replace("<sheets>", f'<workbookPr date1904="{int(date1904)}"/><sheets>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", bombs._CONTENT_TYPES)
        archive.writestr("_rels/.rels", bombs._RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", bombs._WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/sharedStrings.xml", shared)
        archive.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?>' + sheet)
    return buffer.getvalue()


STRINGS = [
    "<si><t>姓名</t></si>",
    '<si><r><rPr><b/></rPr><t xml:space="preserve">张 </t></r><r><t>三</t></r><rPh sb="0" eb="1"><t>ちょう</t></rPh></si>',
    "<si/>",
    "<si><t>  前后空格  </t></si>",
    '<si><t xml:space="preserve">  保留空格  </t></si>',
    "<si><t>A &amp; B &lt;c&gt; _x000D_ 换行</t></si>",
    "<si><t></t></si>",
]


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("date1904", [False, True])
def test_handmade_cells_stream_as_calamine_reads_them(streamed: None, prefix: str, date1904: bool) -> None:
    p = f"{prefix}:" if prefix else ""
    rows = [
        '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c><c r="D2" t="s"><v>2</v></c></row>',
        '<row r="3"><c r="B3" t="s"><v>3</v></c><c r="C3" t="s"><v>4</v></c><c r="E3" t="s"><v>5</v></c>'
        '<c r="F3" t="s"><v>6</v></c><c r="G3" t="s"><v> 1 </v></c></row>',
        '<row r="5"><c r="B5" t="inlineStr"><is><t>行内 文字</t></is></c><c r="C5" t="inlineStr"><is><r><t>富</t></r>'
        '<r><t>文本</t></r></is></c><c r="D5" t="str"><f>A1</f><v>公式 &amp; 结果</v></c><c r="E5" t="e"><v>#DIV/0!</v></c>'
        '<c r="F5" t="b"><v>1</v></c><c r="G5" t="b"><v>0</v></c></row>',
        '<row r="6"><c r="B6" s="1"><v>23801</v></c><c r="C6" s="2"><v>23801.5</v></c><c r="D6" s="1"><v>0.25</v></c>'
        '<c r="E6" s="3"><v>110101195001011234</v></c><c r="F6"><v>1.5E3</v></c><c r="G6"><v></v></c><c r="H6" s="1"/>'
        '<c r="I6" s="9"><v>12</v></c><c r="J6" t="n"><v>-0</v></c></row>',
        '<row r="7" spans="2:4"><c t="s"><v>0</v></c><c><v>7</v></c><c r="E7"><v>8</v></c><c><v>9</v></c></row>',
        '<row r="8"/>',
        '<row r="9"><c r="B9"><f>1+1</f></c><c r="C9" s="1"><v>60</v></c><c r="D9" s="1"><v>61</v></c>'
        '<c r="E9" s="1"><v>2958466</v></c></row>',
    ]
    body = "".join(rows).replace("<row", f"<{p}row").replace("</row>", f"</{p}row>").replace("<c ", f"<{p}c ") \
        .replace("<c>", f"<{p}c>").replace("</c>", f"</{p}c>").replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>")
    body = body.replace("<c/>", f"<{p}c/>")
    strings = [s.replace("<si", f"<{p}si").replace("</si>", f"</{p}si>") for s in STRINGS]
    got = assert_same_rows(handmade(body, strings, date1904, prefix))
    assert got[0] == (2, ["", "姓名", "张 三"])  # row 7 has a cell in column A


def test_a_sheet_below_the_threshold_is_parsed_whole() -> None:
    assert sheetstream.open_stream(register(20)) is None


def test_rows_out_of_order_are_refused(streamed: None) -> None:
    filler = '<c r="B{0}" t="inlineStr"><is><t>' + "x" * 400 + "</t></is></c>"  # a piece each
    data = handmade(f'<row r="5"><c r="A5"><v>1</v></c>{filler.format(5)}</row>'
                    f'<row r="3"><c r="A3"><v>2</v></c>{filler.format(3)}</row>', STRINGS)
    with pytest.raises(sheetstream.StreamError, match="第3行出现在第5行之后"):
        list(sheetstream.open_stream(data))
    with pytest.raises(TabularError, match="第3行出现在第5行之后"):
        list(read_table(data, [Column("a", "a")], filename="a.xlsx"))


@pytest.mark.parametrize("numbers", [(None, None, 5, None, None, None), (None, 2, None, None, 9, None),
                                     (3, None, None, 7, 8, None)])
def test_rows_without_their_number_are_numbered_as_calamine_numbers_them(streamed: None, numbers: tuple) -> None:
    # Pieces start with rows with and without a number; calamine numbers one without after the row before.
    filler = '<c t="inlineStr"><is><t>' + "x" * 200 + "</t></is></c>"
    rows = "".join(f"<row{f' r={chr(39)}{n}{chr(39)}' if n else ''}><c><v>{k}</v></c>{filler * (k % 3)}</row>"
                   for k, n in enumerate(numbers))
    got = assert_same_rows(handmade(rows, STRINGS))
    assert len(got) == len(numbers)


def test_it_finds_a_named_sheet_through_the_relationships(streamed: None) -> None:
    wb = Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "填表说明"
    second = wb.create_sheet("第1网格")
    second.append(["姓名", "身份证号"])
    second.append(["张三", "110101195001011234"])
    data = saved(wb)
    assert list(sheetstream.open_stream(data, "第1网格")) == [(1, ["姓名", "身份证号"]), (2, ["张三", "110101195001011234"])]
    assert assert_same_rows(data, 1) == [(1, ["姓名", "身份证号"]), (2, ["张三", "110101195001011234"])]
    assert sheetstream.open_stream(data, "无此表") is None  # left to calamine, which names the sheets


def test_read_table_errors_match_for_a_streamed_file(streamed: None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "出生日期"])
    ws.append(["张三", 1965.1])
    items = list(read_table(saved(wb), [Column("name", "姓名"), Column("born", "出生日期", kind="date")], filename="a.xlsx"))
    assert isinstance(items[0], list) and isinstance(items[0][0], RowError)
    assert "1月还是10月" in items[0][0].reason


def test_times_dates_and_datetimes_keep_their_types(streamed: None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append([date(1965, 3, 1), datetime(1965, 3, 1, 8, 0), time(8, 30), 1965.03])
    assert assert_same_rows(saved(wb)) == [(1, [date(1965, 3, 1), datetime(1965, 3, 1, 8, 0), time(8, 30), 1965.03])]
