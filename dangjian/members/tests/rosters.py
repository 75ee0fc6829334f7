"""A 党员花名册 as a community keeps it, built here cell by cell (the .xls copy in
dangjian/lib/tests/fixtures/roster.xls is this roster saved by LibreOffice: see test_roster_formats).

A title row, then 序号/姓名/性别/出生年月/身份证号/所在支部/手机/电话/入党时间: 出生年月 in every
spelling people use, 15-digit IDs from before 1999, branch names written short, a 手机 and an
电话 column side by side. Excel rows 3–13 are the people; what each should give is in ROSTER_*.
"""

import csv
import io
import random
from datetime import date

import openpyxl

from dangjian.lib.idnumbers import make_id


def _id(born: date, sex: str, seed: int) -> str:
    return make_id(born, sex, "370102", random.Random(seed))


def fifteen(id18: str) -> str:
    """The 15-digit number the same person had before 1999."""
    return id18[:6] + id18[8:17]


ID_ZHAO = _id(date(1985, 3, 14), "男", 1)
ID_QIAN = _id(date(1978, 9, 2), "女", 2)
ID_SUN = _id(date(1970, 8, 20), "男", 3)
ID_LI = _id(date(1985, 3, 1), "女", 4)
ID_ZHOU = _id(date(1985, 11, 11), "男", 5)
ID_WU = _id(date(1955, 3, 7), "男", 6)  # written in its 15-digit form
ID_WANG = _id(date(1985, 4, 12), "男", 8)  # 出生年月 says 1985.03: refused
ID_FENG = _id(date(1960, 1, 5), "男", 9)
ID_CHEN = _id(date(1962, 2, 6), "女", 10)
ID_CHU = _id(date(1964, 3, 7), "男", 11)
BAD_15 = "370102661305001"  # 15 digits, born 1966-13-05: no such month

HEADER = ["序号", "姓名", "性别", "出生年月", "身份证号", "所在支部", "手机", "电话", "入党时间"]
PEOPLE = [
    [1, "赵一", "男", "1985.03", ID_ZHAO, "三支部", "13800000001", "0531-88880001", "2005.07"],
    [2, "钱二", "女", "1978年9月", ID_QIAN, "第三支部", "13800000002", "", "2001年7月"],
    [3, "孙三", "男", "1970.8", ID_SUN, "第3党支部", "", "13800000003", "1995-07"],
    [4, "李四", "女", "1985-03", ID_LI, "第一党支部", "13800000004", "0531-88880004", ""],
    [5, "周五", "男", "1985年", ID_ZHOU, "一支部", "13800000005", "", ""],
    [6, "吴六", "男", "1955.03", fifteen(ID_WU), "二支部", "", "0531-88880006", "1980.06"],
    [7, "郑七", "女", "1966.05", BAD_15, "二支部", "13800000007", "", ""],
    [8, "王八", "男", "1985.03", ID_WANG, "三支部", "13800000008", "", ""],
    [9, "冯九", "男", "1960.01", ID_FENG, "五支部", "13800000009", "", ""],
    [10, "陈十", "女", "1962.02", ID_CHEN, "五支部", "13800000010", "", ""],
    [11, "褚十一", "男", "1964.03", ID_CHU, "五支部", "13800000011", "", ""],
]
ROWS = [["和平社区党员花名册（2023年9月）"], HEADER, *PEOPLE]

# What the roster should give: Excel row → (column, reason) refused; the branch names matched
# after normalising; the one name matching no branch, with its rows.
ROSTER_REJECTED = [
    (9, "身份证号", "出生日期无效：19661305"),
    (10, "出生年月", f"出生年月1985.03与身份证号中的{date(1985, 4, 12):%Y-%m-%d}不一致"),
]
ROSTER_MATCHED = {"三支部": [3, 10], "第三支部": [4], "第3党支部": [5], "一支部": [7], "二支部": [8, 9]}
ROSTER_UNMAPPED = {"五支部": [11, 12, 13]}
ROSTER_CREATED = ["赵一", "钱二", "孙三", "李四", "周五", "吴六"]


def roster_xlsx(rows=ROWS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def roster_csv(encoding: str, rows=ROWS) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)
