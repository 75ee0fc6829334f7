"""Reading a residents register file: its columns and the checks of one row. No database here.

A register comes as one row per resident, with building/unit/room columns or one 现住址 column
that `split_address` splits, and may hold one sheet per grid. `prepared_batches`
streams a file through lib.tabular.read_table and turns each row into what the importer writes:
the checked values, the ID's blind index and the name's pinyin search keys — or every reason
the row is rejected. All of that is CPU work that needs no database, so for a large file
`prepared_in_child` runs it in a second process while the importer writes the previous batch:
on a 2-core machine the two halves run side by side. The ID and phone are sealed (Fernet) by
the importer, for the residents it creates only: a re-import of unchanged rows seals nothing,
and the writing process, which waits for the reading one, gets that share of the work.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import re
import subprocess
import sys
import traceback
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

try:
    import fcntl
except ImportError:  # Windows: the pipe keeps its default size
    fcntl = None

from dangjian.lib.crypto import blind_index
from dangjian.lib.idnumbers import phone_tail
from dangjian.lib.names import cn_to_int, name_key
from dangjian.lib.pinyin import search_keys
from dangjian.lib.tabular import (
    Column,
    NoTable,
    OpenedInBackground,
    Row,
    RowError,
    TabularError,
    birth_mismatch,
    read_table,
    sheet_names,
)

from .choices import HousingStatus, HukouType, Relation

log = logging.getLogger(__name__)

COLUMNS: tuple[Column, ...] = (
    Column("grid", "网格", ("所属网格", "网格名称")),
    Column("estate", "小区", ("小区名称", "小区/院落", "院落", "小区(院落)")),
    Column("building", "楼栋", ("楼号", "楼栋号", "栋号", "幢"), required=True, required_unless=("current_address",)),
    Column("unit", "单元", ("单元号",)),
    Column("door", "房号", ("门牌号", "房间号", "室号", "户号"), required=True, required_unless=("current_address",)),
    Column("housing_status", "住房状况", ("房屋状况", "居住状况", "房屋用途"), kind="choice", choices=tuple(HousingStatus.values)),
    Column("name", "姓名", ("居民姓名",), required=True),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码"), required=True, kind="id"),
    Column("sex", "性别", kind="choice", choices=("男", "女")),
    Column("birth_date", "出生日期", ("出生年月",), kind="date"),
    Column("relation", "与户主关系", ("关系", "家庭关系")),
    Column("hukou_type", "户籍类型", ("人口类型", "户籍状态", "人员类型")),
    Column("hukou_address", "户籍地址", ("户籍地", "户口所在地")),
    Column("current_address", "现住址", ("居住地址", "现居住地址", "现居住地", "居住地", "家庭住址", "住址", "地址")),
    Column("phone", "联系电话", ("手机", "手机号", "手机号码", "移动电话", "联系方式"), kind="phone"),
    Column("landline", "固定电话", ("电话", "固话", "座机", "家庭电话", "住宅电话", "宅电", "电话号码"), kind="phone"),
    Column("moved_in_on", "迁入日期", ("迁入时间", "入住日期", "入住时间"), kind="date"),
    Column("tags", "标签", ("人员标签", "特殊人群", "重点人群")),
    Column("note", "备注"),
)
HEADERS = [c.header for c in COLUMNS]
HEADER_OF = {c.field: c.header for c in COLUMNS}

# Words people write → the stored value, as a plain str (it is pickled to the writing process).
RELATION_WORDS = {word: str(value) for word, value in ({r.value: r.value for r in Relation} | {
    "本人": Relation.HEAD, "户主本人": Relation.HEAD, "妻": Relation.SPOUSE, "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE, "儿子": Relation.SON, "长子": Relation.SON, "次子": Relation.SON, "女儿": Relation.DAUGHTER,
    "长女": Relation.DAUGHTER, "次女": Relation.DAUGHTER, "父亲": Relation.PARENT, "母亲": Relation.PARENT,
    "父": Relation.PARENT, "母": Relation.PARENT, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD, "外孙女": Relation.GRANDCHILD, "兄": Relation.SIBLING, "弟": Relation.SIBLING,
    "姐": Relation.SIBLING, "妹": Relation.SIBLING, "儿媳": Relation.IN_LAW, "女婿": Relation.IN_LAW,
    "租客": Relation.TENANT, "承租人": Relation.TENANT,
}).items()}
HUKOU_WORDS = {word: str(value) for word, value in ({h.value: h.value for h in HukouType} | {
    "本地": HukouType.LOCAL, "户籍人口": HukouType.LOCAL, "常住人口": HukouType.LOCAL, "外来": HukouType.MIGRANT,
    "流动人口": HukouType.MIGRANT, "外地": HukouType.MIGRANT, "人在户不在": HukouType.SEPARATED,
}).items()}
_TAG_SPLIT = re.compile(r"[、,，;；/\s]+")
_LOCAL = str(HukouType.LOCAL.value)


def tags_value(names) -> str:
    """Stored form of a tag list: "|高龄|独居老人|" (so `contains "|高龄|"` filters on every database)."""
    clean = [n.strip() for n in names if n and n.strip()]
    unique = list(dict.fromkeys(clean))
    return f"|{'|'.join(unique)}|" if unique else ""


def format_address(estate: str, building: str, unit: str, door: str) -> str:
    """和平小区3号楼2单元301室."""
    return f"{estate}{building}{unit}{door}{'' if door.endswith(('室', '号')) else '室'}"


def column_of(headers: dict[str, str], field_name: str) -> str:
    """The column as the file names it (for a reject), else our own header."""
    return headers.get(field_name) or HEADER_OF[field_name]


# One 现住址 column as grid workers write it: 和平小区3栋2单元401室, 和平小区3-2-401, 3幢2单元401,
# 5号楼1单元302室 (full-width forms are made half-width first). Numbers may be 汉字 (三栋).
_NUM = r"[0-9零〇一二两三四五六七八九十百]+"
_BUILDING_WORD = r"(?:号楼|号院|栋|幢|座|号|#|楼)"
_ADDRESS_FORMS = (
    re.compile(rf"(?P<estate>.*?)(?P<b>{_NUM}|[A-Za-z])(?P<w>{_BUILDING_WORD})(?:(?P<u>{_NUM})单元)?(?P<d>[0-9]+)(?:室|号|户)?"),
    re.compile(r"(?P<estate>.*?)(?P<b>[0-9]+)-(?P<u>[0-9]+)-(?P<d>[0-9]+)(?:室|号|户)?"),
)
NO_BUILDING_OR_ROOM = "现住址“{}”中没有可识别的楼栋和房号，请写成“和平小区3栋2单元401室”“和平小区3-2-401”这样的形式，或分列填写楼栋、单元、房号"


def _number(text: str) -> str:
    return text if text.isdigit() else str(cn_to_int(text) or text)


def split_address(text: str) -> tuple[str, str, str, str] | None:
    """(小区, 楼栋, 单元, 房号) of an address, as the register stores them (3号楼, 2单元, 401), or None
    when it names no building or no room."""
    compact = re.sub(r"[\s　]+", "", unicodedata.normalize("NFKC", text or "")).replace("—", "-").replace("－", "-")
    for form in _ADDRESS_FORMS:
        match = form.fullmatch(compact)
        if match:
            building, unit = match.group("b"), match.group("u")
            # 3栋, 3幢, 3号 and 3号楼 are one building, stored as the register writes it: 3号楼.
            building = f"{building.upper()}{match.group('w')}" if building.isascii() and building.isalpha() else f"{_number(building)}号楼"
            return (match.group("estate").rstrip("-,，、")[:50], building,
                    f"{_number(unit)}单元" if unit else "", match.group("d"))
    return None


def is_grid_sheet(name: str) -> bool:
    """A sheet named like a grid (第一网格, 一网格): its rows belong to that grid."""
    return name_key(name)[1] == "网格"


def check_row(row: Row, known_tags: frozenset[str], sheet_grid: str = "") -> dict[str, Any] | list[RowError]:
    """A row's clean values, or every reason (in Chinese, naming the column) it is rejected.
    `sheet_grid`: the grid the row's sheet is named after (when it has no 网格 column)."""
    v = row.values
    errors: list[RowError] = []

    def error(field_name: str, reason: str) -> None:
        errors.append(RowError(row.number, column_of(row.headers, field_name), reason))

    id_number: str = v["id_number"]
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    sex = "男" if int(id_number[16]) % 2 else "女"
    if v["sex"] and v["sex"] != sex:
        error("sex", f"性别“{v['sex']}”与身份证号不一致（身份证号为{sex}）")
    if v["birth_date"] and (mismatch := birth_mismatch(column_of(row.headers, "birth_date"), v["birth_date"], born)):
        error("birth_date", mismatch)
    estate, building, unit, door = v["estate"], v["building"], v["unit"], v["door"]
    if not building or not door:
        address = v["current_address"]
        split = split_address(address) if address else None
        if split is None:
            missing = [f for f in ("building", "door") if not v[f] and f in row.headers]
            if address:
                error("current_address", NO_BUILDING_OR_ROOM.format(address))
            elif missing:
                for name in missing:
                    error(name, "必填项为空")
            else:
                error("current_address", "现住址为空：没有楼栋和房号，无法登记到住户")
        else:
            estate, building, unit, door = (estate or split[0], building or split[1], unit or split[2],
                                            door or split[3])
    phone, landline = v["phone"], v["landline"]
    if landline and not phone and len(landline) == 11 and landline.isdigit():
        phone, landline = landline, None  # a mobile written under 电话
    relation = ""
    if v["relation"]:
        relation = RELATION_WORDS.get(v["relation"], "")
        if not relation:
            error("relation", f"无法识别的与户主关系“{v['relation']}”，可填：{'、'.join(Relation.values)}")
    hukou = _LOCAL
    if v["hukou_type"]:
        hukou = HUKOU_WORDS.get(v["hukou_type"], "")
        if not hukou:
            error("hukou_type", f"无法识别的户籍类型“{v['hukou_type']}”，可填：{'、'.join(HukouType.values)}")
    tags = ""
    if v["tags"]:
        names = [t for t in _TAG_SPLIT.split(v["tags"]) if t]
        unknown = [t for t in names if t not in known_tags]
        if unknown:
            error("tags", f"未知标签“{'、'.join(unknown)}”，可用标签：{'、'.join(sorted(known_tags))}")
        tags = tags_value(names)
    grid = v["grid"] or sheet_grid
    for name, value, limit in (("name", v["name"], 50), ("grid", grid, 50), ("estate", estate, 50),
                               ("building", building, 50), ("unit", unit, 20), ("door", door, 20)):
        if value and len(value) > limit:
            error(name, f"{HEADER_OF[name]}超过{limit}个字")
    if errors:
        return errors
    return {
        "grid": grid or "", "estate": estate or "", "building": building, "unit": unit or "",
        "door": door, "housing_status": v["housing_status"], "name": v["name"], "id_number": id_number,
        "id_hash": blind_index(id_number), "sex": sex, "birth_date": born, "relation": relation, "hukou_type": hukou,
        "hukou_address": (v["hukou_address"] or "")[:200], "current_address": (v["current_address"] or "")[:200],
        "phone": phone or "", "landline": landline or "", "moved_in_on": v["moved_in_on"], "tags": tags,
        "note": (v["note"] or "")[:200], "_row": row.number,
    }


# ---------------------------------------------------------------------------------------------
# Batches


# What a good row gives the importer. `insert` holds, in RESIDENT_COLUMNS order, the values a
# new resident is inserted with, the ID and phone still in plain text at SEALED_AT (the importer
# seals them and adds the columns the database decides); `compared`
# holds, in COMPARED order, the values as the file has them, for updating a known resident.
RESIDENT_COLUMNS = ("name", "name_initials", "name_pinyin", "id_number", "id_hash", "sex", "birth_date", "relation",
                    "hukou_type", "hukou_address", "current_address", "phone", "phone_tail", "landline", "moved_in_on",
                    "tags", "note", "source_row")
SEALED_AT = (RESIDENT_COLUMNS.index("id_number"), RESIDENT_COLUMNS.index("phone"), RESIDENT_COLUMNS.index("landline"))
COMPARED = ("name", "relation", "hukou_type", "hukou_address", "current_address", "phone", "landline", "moved_in_on",
            "note", "tags")


class Prepared(NamedTuple):
    row: int
    id_hash: str
    grid: str
    estate: str
    building: str
    unit: str
    door: str
    housing_status: str | None
    insert: tuple
    compared: tuple
    sheet: str = ""
    notes: tuple[str, ...] = ()


# Prepared[ESTATE_BUILDING_UNIT] is the key of the row's unit within a community.
ESTATE_BUILDING_UNIT = slice(3, 6)
Item = Prepared | list[RowError]


def prepare(rows: list[Row | list[RowError]], known_tags: frozenset[str], dates_as_text: bool = False,
            sheet: str = "", sheet_grid: str = "") -> list[Item]:
    """Each row checked, and for a good row its blind index and search keys added.

    A second row with an ID already in this batch is rejected here; across batches the importer
    finds repeats in the database. `dates_as_text`: dates to insert as ISO text (what SQLite
    stores; Django's adapter would make the same text in the writing process). `sheet`: the
    worksheet's name, given in every reject and note, when the workbook has several."""
    out: list[Item] = []
    first_row: dict[str, int] = {}
    for row in rows:
        values = row if isinstance(row, list) else check_row(row, known_tags, sheet_grid)
        if isinstance(values, list):
            out.append([replace(e, sheet=sheet) for e in values] if sheet else values)
            continue
        first = first_row.setdefault(values["id_hash"], row.number)
        if first != row.number:
            out.append([RowError(row.number, column_of(row.headers, "id_number"), f"与第{first}行的身份证号重复", sheet)])
        else:
            out.append(_prepared(values, dates_as_text, sheet, row.notes))
    return out


def _prepared(v: dict[str, Any], dates_as_text: bool, sheet: str = "", notes: tuple[str, ...] = ()) -> Prepared:
    initials, pinyin = search_keys(v["name"])
    address = v["current_address"] or format_address(v["estate"], v["building"], v["unit"], v["door"])[:200]
    born, moved_in = v["birth_date"], v["moved_in_on"]
    if dates_as_text:
        born, moved_in = born.isoformat(), moved_in and moved_in.isoformat()
    return Prepared(
        v["_row"], v["id_hash"], v["grid"], v["estate"], v["building"], v["unit"], v["door"], v["housing_status"],
        (v["name"], initials[:20], pinyin[:100], v["id_number"], v["id_hash"], v["sex"], born, v["relation"],
         v["hukou_type"], v["hukou_address"], address, v["phone"], phone_tail(v["phone"]), v["landline"], moved_in,
         v["tags"], v["note"], v["_row"]),
        (v["name"], v["relation"], v["hukou_type"], v["hukou_address"], v["current_address"], v["phone"],
         v["landline"], v["moved_in_on"], v["note"], v["tags"]),
        sheet, notes,
    )


def _sheets(path: str | Path | OpenedInBackground, filename: str) -> list[tuple[str, Iterator]]:
    """(sheet name, its rows) for each sheet holding a register: a CSV or one-sheet workbook as
    before; in a workbook of several sheets each sheet with a header row (one per grid, say),
    the others (填表说明) passed over. TabularError when no sheet holds a register."""
    source = path.source if isinstance(path, OpenedInBackground) else path
    names = sheet_names(source, filename)
    if len(names) <= 1:
        return [(names[0] if names else "", read_table(path, COLUMNS, filename=filename))]
    found, skipped = [], None
    for k, name in enumerate(names):
        try:
            rows = read_table(path if k == 0 else source, COLUMNS, filename=filename, sheet=k)
        except NoTable as exc:
            skipped = skipped or TabularError(f"工作表“{name}”：{exc}")
            continue
        except TabularError as exc:
            raise TabularError(f"工作表“{name}”：{exc}") from exc
        found.append((name, rows))
    if not found:
        raise skipped
    return found


def prepared_batches(path: str | Path | OpenedInBackground, filename: str, known_tags: frozenset[str], size: int,
                     dates_as_text: bool = False) -> Iterator[tuple[dict[str, str], list[Item]]]:
    """(the sheet's headers, a batch of prepared rows) until the file ends; TabularError when
    the file as a whole cannot be read, before the first batch. A workbook with several sheets
    is read sheet by sheet; a sheet named after a grid gives its rows that grid."""
    sheets = _sheets(path, filename)
    several = len(sheets) > 1
    for sheet, rows in sheets:
        label = sheet if several else ""
        sheet_grid = sheet if several or is_grid_sheet(sheet) else ""
        headers = HEADER_OF
        batch: list[Row | list[RowError]] = []
        for row in rows:
            if not batch and isinstance(row, Row):
                headers = row.headers
            batch.append(row)
            if len(batch) >= size:
                yield headers, prepare(batch, known_tags, dates_as_text, label, sheet_grid)
                batch = []
        if batch:
            yield headers, prepare(batch, known_tags, dates_as_text, label, sheet_grid)


# ---------------------------------------------------------------------------------------------
# The same batches from a second process


class ChildFailed(RuntimeError):
    """The reading process died or raised something other than TabularError."""


def prepared_in_child(path: str | Path, filename: str, known_tags: frozenset[str], size: int,
                      dates_as_text: bool = False) -> Iterator[tuple[dict[str, str], list[Item]]]:
    """prepared_batches computed by a child process, a batch or so ahead of the caller.

    The child is `python -m dangjian.grid.readahead` (not multiprocessing, which would re-import
    whatever script the parent runs as __main__); it gets its arguments, the PII key among them,
    on stdin and sends pickled frames on stdout. The pipe holds a few batches, so the child waits
    when it is that far ahead and memory stays flat; closing the iterator early, or an error in
    the caller, stops the child."""
    from django.conf import settings

    package_root = str(Path(__file__).resolve().parents[2])
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))}
    child = subprocess.Popen([sys.executable, "-m", "dangjian.grid.readahead"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=env)
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        # Room for a few batches, so the child reads ahead while this process writes a slow batch
        # (4 MB; an unprivileged process may get at most /proc/sys/fs/pipe-max-size, 1 MB).
        for size_bytes in (4 << 20, 1 << 20):
            with contextlib.suppress(OSError):
                fcntl.fcntl(child.stdout.fileno(), fcntl.F_SETPIPE_SZ, size_bytes)
                break
    finished = False
    try:
        with contextlib.suppress(BrokenPipeError):  # a child that died at once is reported below
            pickle.dump({"path": str(path), "filename": filename, "known_tags": known_tags, "size": size,
                         "dates_as_text": dates_as_text, "pii_key": settings.PII_KEY}, child.stdin)
            child.stdin.close()
        while True:
            try:
                kind, payload = pickle.load(child.stdout)
            except EOFError:
                raise ChildFailed(f"读取进程意外退出（退出码 {child.wait()}）") from None
            if kind == "batch":
                yield payload
            elif kind == "done":
                finished = True
                return
            elif kind == "tabular":
                raise TabularError(payload)
            else:
                log.error("居民登记表读取进程出错：\n%s", payload)
                raise ChildFailed(f"读取进程出错：{payload.strip().splitlines()[-1]}")
    finally:
        if not finished and child.poll() is None:
            child.kill()
        child.stdout.close()
        child.wait()


def send_batches(source: OpenedInBackground | str | Path, args: dict[str, Any], out: BinaryIO) -> None:
    """The child's side of prepared_in_child: every batch, then one closing frame."""
    try:
        for batch in prepared_batches(source, args["filename"], args["known_tags"], args["size"], args["dates_as_text"]):
            pickle.dump(("batch", batch), out, pickle.HIGHEST_PROTOCOL)
            out.flush()
        frame = ("done", None)
    except TabularError as exc:
        frame = ("tabular", str(exc))
    except Exception:  # noqa: BLE001 — sent to the parent, which fails the job with it
        frame = ("crash", traceback.format_exc())
    pickle.dump(frame, out, pickle.HIGHEST_PROTOCOL)
    out.flush()
