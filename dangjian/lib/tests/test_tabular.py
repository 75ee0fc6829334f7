import csv
import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from dangjian.lib.idnumbers import ID_STORED_AS_NUMBER, make_id
from dangjian.lib.tabular import (
    Column,
    Row,
    RowError,
    TabularError,
    cell_cleaner,
    clean_cell,
    parse_date,
    read_table,
)

COLUMNS = (
    Column("name", "姓名", ("党员姓名",), required=True),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码"), required=True, kind="id"),
    Column("birth_date", "出生日期", ("出生年月",), kind="date"),
    Column("phone", "联系电话", ("手机", "手机号码"), kind="phone"),
    Column("sex", "性别", kind="choice", choices=("男", "女")),
    Column("count", "人数", kind="int"),
    Column("amount", "金额", kind="decimal"),
)
ID_A = make_id(date(1965, 3, 1), "男", "110101", random.Random(1))
ID_B = make_id(date(1970, 12, 31), "女", "370102", random.Random(2))
ID_X = "11010519491231002X"  # GB 11643-1999 Appendix A


def xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def read(source: Any, **kwargs: Any) -> list[Row | list[RowError]]:
    return list(read_table(source, COLUMNS, **kwargs))


def test_it_skips_the_title_row_and_reads_header_variants(tmp_path: Path) -> None:
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(
        xlsx([["和平社区党员花名册"], ["*姓名", "身份证号：", "出生 年月", "手机"], ["张 三", ID_A]])
    )
    [row] = read(path)
    assert isinstance(row, Row)
    assert (row.number, row.values["name"], row.values["id_number"]) == (3, "张三", ID_A)


def test_it_counts_blank_rows_above_the_data_in_row_numbers() -> None:
    [row] = read(xlsx([[], [], ["姓名", "身份证号"], ["张三", "bad"]]))
    assert isinstance(row, list)
    assert row[0].row == 4


def test_it_reads_excel_date_cells_and_datetimes() -> None:
    rows = read(
        xlsx(
            [
                ["姓名", "身份证号", "出生日期"],
                ["甲", ID_A, date(1965, 3, 1)],
                ["乙", ID_B, datetime(1970, 12, 31)],
            ]
        )
    )
    assert [r.values["birth_date"] for r in rows] == [date(1965, 3, 1), date(1970, 12, 31)]


def test_it_reads_calamine_floats_for_big_integer_cells() -> None:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx([[int(ID_A)]]))).get_sheet_by_index(0)
    [[value]] = list(sheet.iter_rows())
    assert isinstance(value, float)


def test_it_explains_an_id_stored_as_a_number() -> None:
    [errors] = read(xlsx([["姓名", "身份证号"], ["张三", int(ID_A)]]))
    assert errors == [RowError(2, "身份证号", ID_STORED_AS_NUMBER)]


def test_it_normalises_lowercase_x_and_full_width_digits() -> None:
    full_width = ID_X.lower().translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    [row] = read(xlsx([["姓名", "身份证号"], ["张三", full_width]]))
    assert row.values["id_number"] == ID_X


def test_it_reports_every_bad_cell_of_a_row() -> None:
    [errors] = read(xlsx([["姓名", "身份证号", "出生日期", "手机"], [None, "123", "昨天", "12345"]]))
    assert [(e.column, e.reason[:6]) for e in errors] == [
        ("姓名", "必填项为空"),
        ("身份证号", "长度应为18"),
        ("出生日期", "日期无法识别"),
        ("手机", "电话号码无效"),
    ]


def test_it_quotes_the_bad_date_in_its_reason() -> None:
    [errors] = read(xlsx([["姓名", "身份证号", "出生日期"], ["张三", ID_A, "1965年13月"]]))
    assert errors[0].reason == "日期无法识别：“1965年13月”"


def test_it_names_the_missing_required_column() -> None:
    with pytest.raises(TabularError, match="缺少必填列：公民身份号码"):
        read(xlsx([["姓名", "出生日期"], ["张三", "1965-03-01"]]))


def test_it_fails_when_no_header_row_is_found() -> None:
    with pytest.raises(TabularError, match="没有找到表头行"):
        read(xlsx([["甲", "乙"], ["1", "2"]]))


def test_it_refuses_two_columns_for_one_field() -> None:
    with pytest.raises(TabularError, match="表头中“手机”和“联系电话”都表示“联系电话”，请删除其中一列"):
        read(xlsx([["姓名", "身份证号", "手机", "联系电话"]]))


def test_it_leaves_absent_optional_columns_empty() -> None:
    [row] = read(xlsx([["姓名", "身份证号"], ["张三", ID_A]]))
    assert row.values == {"name": "张三", "id_number": ID_A, "birth_date": None, "phone": None} | {
        "sex": None,
        "count": None,
        "amount": None,
    }


@pytest.mark.parametrize("make", [xlsx, csv_bytes], ids=["xlsx", "csv"])
def test_it_reads_a_file_with_one_known_column_among_others(make: Any) -> None:
    # A single column takes its own path when picking cells; a CSV line may also stop short.
    columns = (Column("name", "姓名", required=True),)
    rows = list(read_table(make([["序号", "姓名", "备注"], [1, "张三", "无"], [2, "李四"]]), columns))
    assert [(r.number, r.values) for r in rows] == [(2, {"name": "张三"}), (3, {"name": "李四"})]


def test_it_reads_a_csv_line_that_stops_short_as_empty_cells() -> None:
    [row] = read(csv_bytes([["姓名", "身份证号", "手机"], ["张三", ID_A]]))
    assert (row.values["name"], row.values["id_number"], row.values["phone"]) == ("张三", ID_A, None)


def test_it_skips_empty_rows_and_repeated_headers() -> None:
    rows = read(xlsx([["姓名", "身份证号"], ["甲", ID_A], [None, "  "], ["姓名", "身份证号"], ["乙", ID_B]]))
    assert [r.number for r in rows] == [2, 5]


def test_it_cleans_numbers_choices_and_phones() -> None:
    header = ["姓名", "身份证号", "性别", "人数", "金额", "手机"]
    [row] = read(xlsx([header, ["甲", ID_A, " 女 ", 3.0, "¥1,234.5", 13812341234]]))
    assert [row.values[f] for f in ("sex", "count", "amount", "phone")] == [
        "女",
        3,
        Decimal("1234.5"),
        "13812341234",
    ]


def test_it_lists_the_allowed_choices() -> None:
    [errors] = read(xlsx([["姓名", "身份证号", "性别"], ["甲", ID_A, "未知"]]))
    assert errors[0].reason == "“未知”不是可选值，可选：男、女"


@pytest.mark.parametrize("raw", ["010-12345678", "(010)12345678", "0571-8888888"])
def test_it_accepts_landlines_with_area_code(raw: str) -> None:
    [row] = read(xlsx([["姓名", "身份证号", "手机"], ["甲", ID_A, raw]]))
    assert row.values["phone"].startswith("0")
    assert "-" in row.values["phone"]


def test_it_reads_a_gbk_csv() -> None:
    data = csv_bytes(
        [["和平社区党员花名册"], ["姓名", "身份证号", "出生日期"], ["张三", ID_X, "1965.3"]], "gbk"
    )
    [row] = read(data, filename="名册.csv")
    assert (row.number, row.values["name"], row.values["birth_date"]) == (3, "张三", date(1965, 3, 1))


def test_it_sniffs_the_format_without_a_filename() -> None:
    assert read(io.BytesIO(xlsx([["姓名", "身份证号"], ["甲", ID_A]])))[0].values["name"] == "甲"
    assert read(csv_bytes([["姓名", "身份证号"], ["乙", ID_A]]))[0].values["name"] == "乙"


def test_it_reads_a_named_sheet() -> None:
    wb = Workbook()
    wb.create_sheet("党员").append(["姓名", "身份证号"])
    wb["党员"].append(["甲", ID_A])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert read(buffer.getvalue(), sheet="党员")[0].values["name"] == "甲"
    with pytest.raises(TabularError, match="找不到工作表“其他”"):
        read(buffer.getvalue(), sheet="其他")


def test_it_refuses_a_broken_workbook() -> None:
    with pytest.raises(TabularError, match="文件无法读取"):
        read(b"PK\x03\x04 broken", filename="a.xlsx")


def test_it_recognises_an_html_page_named_xls() -> None:
    with pytest.raises(TabularError, match="网页"):
        read(b"<html><table><tr><td>x</td></tr></table></html>", filename="export.xls")


def test_it_fails_on_an_empty_file() -> None:
    with pytest.raises(TabularError, match="没有数据"):
        read(b"", filename="a.csv")


DATE_FORMS = (
    ("{y}-{m:02d}-{d:02d}", True),
    ("{y}.{m:02d}.{d:02d}", True),
    ("{y}.{m}.{d}", True),
    ("{y}/{m}/{d}", True),
    ("{y}{m:02d}{d:02d}", True),
    ("{y}年{m}月{d}日", True),
    ("{y}-{m:02d}-{d:02d} 00:00:00", True),
    ("{y}.{m}", False),
    ("{y}年{m}月", False),
    ("{y}{m:02d}", False),
)


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.sampled_from(DATE_FORMS))
def test_it_reads_dates_in_every_form(day: date, form: tuple[str, bool]) -> None:
    pattern, has_day = form
    text = pattern.format(y=day.year, m=day.month, d=day.day)
    assert parse_date(text) == (day if has_day else day.replace(day=1))


# Serials 1800–2200 (dates in 1904–1906) are taken for a year typed alone, and refused.
@given(st.dates(date(1907, 1, 1), date(2100, 12, 31)))
def test_it_reads_excel_serial_numbers(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(serial) == parse_date(float(serial) + 0.5) == day


# Title rows are printable text (control characters such as tabs are not titles).
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1), max_size=5))
@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=50)
def test_it_skips_any_title_rows_above_the_header(titles: list[str]) -> None:
    rows = [[t] for t in titles] + [["姓名", "身份证号码"], ["张三", ID_A]]
    [row] = read(csv_bytes(rows), filename="x.csv")
    assert row.values["id_number"] == ID_A


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (19650301, date(1965, 3, 1)),
        (196503, date(1965, 3, 1)),
        (1965.03, date(1965, 3, 1)),
        (1965.12, date(1965, 12, 1)),
    ],
)
def test_it_reads_dates_typed_as_numbers(number: float, expected: date) -> None:
    assert parse_date(number) == expected


def test_it_asks_whether_1965_1_is_january_or_october() -> None:
    with pytest.raises(ValueError, match="1月还是10月"):
        parse_date(1965.1)


def test_it_reads_a_year_alone_as_that_year() -> None:
    assert (type(parse_date(1965)).__name__, parse_date(1965).year) == ("YearOnly", 1965)


def test_it_refuses_a_four_digit_number_that_is_no_year() -> None:
    with pytest.raises(ValueError, match="日期无法识别：“1850”"):
        parse_date(1850)


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
)


def ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet (what WPS and LibreOffice save), string cells only."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in r
        )
        + "</table:table-row>"
        for r in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="名册">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def test_it_reads_an_ods_file() -> None:
    [row] = read(
        ods([["和平社区党员花名册"], ["姓名", "身份证号", "出生日期"], ["张三", ID_X, "1949.12.31"]]),
        filename="名册.ods",
    )
    assert (row.number, row.values["id_number"], row.values["birth_date"]) == (3, ID_X, date(1949, 12, 31))


def _outcome(clean: Any, value: Any) -> tuple[str, Any]:
    try:
        result = clean(value)
    except ValueError as exc:
        return "error", str(exc)
    return type(result).__name__, result


# Cells as calamine and csv hand them over, biased to what registers hold: CJK, full-width
# forms, digits, stray spaces, dates and numbers.
CELLS = st.one_of(
    st.none(),
    st.text(st.sampled_from("张三李 \u3000\t１２3０-X男女自住出租"), max_size=20),
    st.text(max_size=20),
    st.from_regex(r"1[3-9][0-9０-９]{9}", fullmatch=True),
    st.builds(lambda d: d, st.dates(date(1900, 1, 1), date(2100, 12, 31))),
    st.datetimes(datetime(1900, 1, 1), datetime(2100, 12, 31)),
    st.integers(-10, 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.sampled_from([ID_A, ID_B, ID_X, ID_X.lower(), " " + ID_A, "男", "女", "男 ", "自住"]),
)


@pytest.mark.parametrize("column", [
    Column("name", "姓名"), Column("name", "姓名", required=True), Column("sex", "性别", kind="choice", choices=("男", "女")),
    Column("born", "出生日期", kind="date"), Column("phone", "电话", kind="phone"), Column("id", "身份证", kind="id"),
], ids=lambda c: f"{c.kind}{'-required' if c.required else ''}")
@given(value=CELLS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_shortcut_cleaner_agrees_with_clean_cell(column: Column, value: Any) -> None:
    assert _outcome(cell_cleaner(column), value) == _outcome(lambda v: clean_cell(column, v), value)


def test_a_file_opened_in_background_reads_the_same_rows(tmp_path: Path) -> None:
    from dangjian.lib.tabular import OpenedInBackground

    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx([["党员名册"], ["姓名", "身份证号", "出生年月"], ["张三", ID_A, date(1965, 3, 1)], ["李四", "123", ""]]))
    assert list(read_table(OpenedInBackground(path), COLUMNS)) == read(path)


def test_a_file_opened_in_background_raises_where_read_table_would(tmp_path: Path) -> None:
    from dangjian.lib.tabular import OpenedInBackground

    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    opened = OpenedInBackground(path)
    with pytest.raises(TabularError, match="无法读取"):
        read_table(opened, COLUMNS)
