import io
import random
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from dangjian.lib.idnumbers import make_id
from dangjian.lib.tabular import Column, read_table
from dangjian.lib.xlsx import SheetSpec, display_width, write_workbook

COLUMNS = (
    Column("name", "姓名", required=True),
    Column("id_number", "公民身份号码", required=True, kind="id"),
    Column("birth_date", "出生日期", kind="date"),
    Column("phone", "联系电话", kind="phone"),
    Column("amount", "金额", kind="decimal"),
)
HEADERS = [c.header for c in COLUMNS]
ID_A = make_id(date(1965, 3, 1), "男", "110101", random.Random(1))


def roster(rows: list[list[object]]) -> bytes:
    return write_workbook(
        [SheetSpec(title="党员花名册", heading="和平社区党员花名册", headers=HEADERS, rows=rows)]
    )


def test_it_round_trips_through_read_table() -> None:
    data = roster([["张三", ID_A, date(1965, 3, 1), "13812341234", Decimal("12.50")]])
    [row] = list(read_table(data, COLUMNS))
    assert row.number == 3
    assert row.values == {
        "name": "张三",
        "id_number": ID_A,
        "birth_date": date(1965, 3, 1),
        "phone": "13812341234",
        "amount": Decimal("12.5"),
    }


def test_it_writes_ids_and_phones_as_text_even_when_given_numbers() -> None:
    sheet = load_workbook(io.BytesIO(roster([["张三", int(ID_A), None, 13812341234, None]])))["党员花名册"]
    assert (sheet["B3"].value, sheet["B3"].number_format) == (ID_A, "@")
    assert (sheet["D3"].value, sheet["D3"].number_format) == ("13812341234", "@")


def test_it_merges_a_bold_heading_and_freezes_under_the_header() -> None:
    sheet = load_workbook(io.BytesIO(roster([])))["党员花名册"]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:E1"]
    assert sheet["A1"].font.b and sheet["A2"].font.b
    assert sheet["A2"].border.bottom.style == "thin"
    assert sheet.freeze_panes == "A3"


def test_it_never_writes_a_formula() -> None:
    sheet = load_workbook(io.BytesIO(roster([['=HYPERLINK("http://x")', ID_A]])))["党员花名册"]
    assert sheet["A3"].data_type == "s"


def test_it_counts_cjk_characters_double_for_widths() -> None:
    assert display_width("张三ab") == 6
    sheet = load_workbook(io.BytesIO(roster([])))["党员花名册"]
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_it_puts_each_spec_on_its_own_sheet() -> None:
    data = write_workbook([SheetSpec(title="甲", headers=["a"]), SheetSpec(title="乙/丙", headers=["b"])])
    assert load_workbook(io.BytesIO(data)).sheetnames == ["甲", "乙_丙"]


def test_it_keeps_a_formula_like_heading_header_and_sheet_name_as_text() -> None:
    payload = '=HYPERLINK("http://x","y")'
    book = load_workbook(io.BytesIO(write_workbook([SheetSpec(title=payload, heading=payload, headers=[payload, "姓名"])])))
    sheet = book.worksheets[0]
    assert (sheet["A1"].data_type, sheet["A2"].data_type, sheet["A1"].value) == ("s", "s", payload)
    assert not sheet.title.startswith("=")


def test_it_gives_every_data_cell_its_border_and_its_value_s_number_format() -> None:
    rows = [["张三", ID_A, date(1965, 3, 1), "13812341234", Decimal("12.50")],
            ["李四", ID_A, None, None, 7],
            ["王五", ID_A, date(1970, 1, 2), "13912341234", Decimal("0.20")]]
    sheet = load_workbook(io.BytesIO(roster(rows)))["党员花名册"]
    formats = [[sheet.cell(row=r, column=c).number_format for c in range(1, 6)] for r in (3, 4, 5)]
    assert formats == [["General", "@", "yyyy-mm-dd", "@", "0.00"], ["General", "@", "General", "@", "General"],
                       ["General", "@", "yyyy-mm-dd", "@", "0.00"]]
    assert {sheet.cell(row=r, column=c).border.left.style for r in (3, 4, 5) for c in range(1, 6)} == {"thin"}
