"""The .docx against DOMAIN.md §6 (GB/T 9704-2012), read back from the file."""

import re

import pytest

from dangjian.reports.services import version_docx

from .docxcheck import NS, Docx, w

MM = 1440 / 25.4  # twips per millimetre
LEVELS = {  # style → (eastAsia font, half-points, bold)
    "公文标题": ("方正小标宋简体", 44, False),
    "一级标题": ("黑体", 32, False),
    "二级标题": ("楷体_GB2312", 32, False),
    "三级标题": ("仿宋_GB2312", 32, True),
    "公文正文": ("仿宋_GB2312", 32, False),
    "署名日期": ("仿宋_GB2312", 32, False),
}


@pytest.fixture
def docx(report):
    return Docx(version_docx(report.current_version()))


def test_it_lays_out_an_a4_page_with_the_standard_margins(docx):
    size, margins = docx.sect.find("w:pgSz", NS), docx.sect.find("w:pgMar", NS)
    assert abs(int(size.get(w("w"))) - 210 * MM) < 2 and abs(int(size.get(w("h"))) - 297 * MM) < 2
    for side, mm in (("top", 37), ("left", 28), ("right", 26), ("bottom", 35)):
        assert abs(int(margins.get(w(side))) - mm * MM) <= 1 * MM, side


def test_it_sets_22_lines_of_28_characters(docx):
    grid, margins = docx.sect.find("w:docGrid", NS), docx.sect.find("w:pgMar", NS)
    size = docx.sect.find("w:pgSz", NS)
    pitch = int(grid.get(w("linePitch")))
    area_h = int(size.get(w("h"))) - int(margins.get(w("top"))) - int(margins.get(w("bottom")))
    area_w = int(size.get(w("w"))) - int(margins.get(w("left"))) - int(margins.get(w("right")))
    assert grid.get(w("type")) == "linesAndChars"
    assert area_h // pitch == 22 and abs(pitch / 20 - 28.95) < 0.1
    char_pitch_pt = 16 + int(grid.get(w("charSpace"))) / 4096
    assert round(area_w / 20 / char_pitch_pt) == 28
    body = next(p for s, _, p in docx.paragraphs() if s == "公文正文")
    assert docx.para_prop(body, "w:spacing", "lineRule") == "exact"
    assert docx.para_prop(body, "w:spacing", "line") == str(pitch)


def test_it_names_fonts_and_sizes_per_level_with_east_asian_font_on_every_run(docx):
    seen = set()
    for style, _text, p in docx.paragraphs():
        if style not in LEVELS:
            continue
        font, size, bold = LEVELS[style]
        for r in p.findall("w:r", NS):
            fonts = r.find("w:rPr/w:rFonts", NS)
            assert fonts is not None and fonts.get(w("eastAsia")) == font, (style, _text)
            assert docx.run_prop(p, r, "sz") == str(size), style
            assert (docx.run_prop(p, r, "b") in ("1", "true")) == bold, style
        seen.add(style)
    assert seen == set(LEVELS)


def test_it_sets_the_east_asian_font_on_every_run_of_every_part(docx):
    parts = ["word/document.xml"] + [n for n in docx.zip.namelist() if re.match(r"word/(footer|header)\d*\.xml", n)]
    for name in parts:
        for r in docx.part(name).iter(w("r")):
            fonts = r.find("w:rPr/w:rFonts", NS)
            assert fonts is not None and fonts.get(w("eastAsia")), name


def test_it_centres_the_title_and_numbers_headings_in_the_standard_forms(docx):
    paras = list(docx.paragraphs())
    title = paras[0]
    assert title[0] == "公文标题" and docx.para_prop(title[2], "w:jc", "val") == "center"
    assert title[1] == "和平社区2023年第三季度基层党建述职报告"
    h1 = [t for s, t, _ in paras if s == "一级标题"]
    assert h1 == ["一、履职情况", "二、严于律己，带头廉洁自律", "三、存在问题和原因", "四、下一步工作措施"]
    assert all(re.match(r"（[一二三四五六七八九十]+）", t) for s, t, _ in paras if s == "二级标题")
    assert all(re.match(r"\d+\. ", t) for s, t, _ in paras if s == "三级标题")


def test_it_numbers_pages_odd_right_and_even_left_in_14pt_songti(docx):
    assert docx.settings.find("w:evenAndOddHeaders", NS) is not None
    refs = {ref.get(w("type")): ref for ref in docx.sect.findall("w:footerReference", NS)}
    rels = docx.part("word/_rels/document.xml.rels")
    target = {r.get("Id"): r.get("Target") for r in rels}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for kind, align, side in (("default", "right", "right"), ("even", "left", "left")):
        footer = docx.part("word/" + target[refs[kind].get(rid)])
        p = footer.find("w:p", NS)
        assert p.find("w:pPr/w:jc", NS).get(w("val")) == align
        assert p.find("w:pPr/w:ind", NS).get(w(f"{side}Chars")) == "100"  # one character in
        assert "PAGE" in "".join(t.text for t in p.iter(w("instrText")))
        assert "".join(t.text or "" for t in p.iter(w("t"))) == "— 1 —"
        for r in p.findall("w:r", NS):
            assert r.find("w:rPr/w:rFonts", NS).get(w("eastAsia")) == "宋体"
            assert r.find("w:rPr/w:sz", NS).get(w("val")) == "28"


def test_it_signs_two_characters_from_the_right_and_dates_without_zero_padding(docx):
    paras = [(s, t) for s, t, _ in docx.paragraphs() if s == "署名日期"]
    (_, signer), (_, dated) = paras
    assert signer.strip() == "和平社区党总支书记\u3000刘书记" and dated.strip() == "2023年9月30日"
    signer_start = len(signer) - len(signer.lstrip("\u3000"))
    date_start = len(dated) - len(dated.lstrip("\u3000"))
    assert signer_start + len(signer.strip()) + 2 == 28  # right 空二字
    assert date_start == signer_start + 2  # 首字比署名首字右移二字


def test_it_appends_a_table_of_every_figure(docx, report):
    figures = report.current_version().figures["figures"]
    rows = docx.table_rows()
    assert rows[0] == ["序号", "项目", "数值", "单位", "来源"]
    assert len(rows) - 1 == len(figures)
    labels = {r[1] for r in rows[1:]}
    assert {f["label"] for f in figures.values()} == labels
