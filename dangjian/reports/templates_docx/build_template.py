"""Build the built-in duty-report template (default.docx) in the GB/T 9704-2012 format.

Run `python -m dangjian.reports.templates_docx.build_template` after changing this file and commit
the resulting default.docx. A deployment can restyle the file in Word (keep the {{ }} / {%p %}
tags and the style names) and upload it in the admin as its own template.

Numbers (DOMAIN.md §6): A4; margins top 37 mm, left 28 mm, right 26 mm, bottom 35 mm (type area
156 × 225 mm); 22 lines × 28 characters: line pitch 579 twips (28.95 pt, exact) and a character
grid of 8845 / 28 twips; title 2号 (22 pt) 方正小标宋简体 centred; body 3号 (16 pt) 仿宋_GB2312;
一、 黑体; （一） 楷体_GB2312; 1. 仿宋_GB2312 bold; page numbers 4号 (14 pt) 宋体 "— 1 —", odd
pages right and even pages left, one character in.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

OUT = Path(__file__).with_name("default.docx")

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, LEFT, RIGHT, BOTTOM = Mm(37), Mm(28), Mm(26), Mm(35)
LINES, CHARS = 22, 28
LINE_PITCH = 579  # twips: 28.95 pt; 22 × 579 = 12738 ≤ 12756 (225 mm)
BODY_PT = 16
CONDENSE = -5  # twentieths of a point
TEXT_W = int(PAGE_W.twips - LEFT.twips - RIGHT.twips)  # 8845 twips
CHAR_PITCH = TEXT_W / CHARS  # twips per character cell
# w:charSpace: the grid's extra pitch over the body font size, in 1/4096 pt.
CHAR_SPACE = round((CHAR_PITCH / 20 - BODY_PT) * 4096)

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"

# name, font, size pt, bold, alignment, first-line indent (chars), outline level
STYLES = [
    ("公文标题", TITLE_FONT, 22, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 0),
    ("一级标题", H1_FONT, BODY_PT, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, 1),
    ("二级标题", H2_FONT, BODY_PT, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, 2),
    ("三级标题", BODY_FONT, BODY_PT, True, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, 3),
    ("公文正文", BODY_FONT, BODY_PT, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, None),
    ("署名日期", BODY_FONT, BODY_PT, False, WD_ALIGN_PARAGRAPH.LEFT, 0, None),
    ("附件标识", H1_FONT, BODY_PT, False, WD_ALIGN_PARAGRAPH.LEFT, 0, None),
    ("表格文字", BODY_FONT, 14, False, WD_ALIGN_PARAGRAPH.LEFT, 0, None),
    ("页码", PAGE_FONT, 14, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, None),
]


def set_fonts(rpr, font: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    """Every script slot gets the font: East Asian text is laid out with w:eastAsia."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), "1" if bold else "0")
    if size_pt is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size_pt * 2)))
    if size_pt is not None and size_pt <= BODY_PT:
        # A 16 pt glyph is wider than the 15.8 pt grid cell (28 cells in 156 mm); condensing by
        # 0.25 pt lets every character fit one cell in LibreOffice too (Word squeezes by itself).
        spacing = rpr.find(qn("w:spacing"))
        if spacing is None:
            spacing = OxmlElement("w:spacing")
            rpr.append(spacing)
        spacing.set(qn("w:val"), str(CONDENSE))
    color = rpr.find(qn("w:color"))
    if color is None:
        color = OxmlElement("w:color")
        rpr.append(color)
    color.set(qn("w:val"), "000000")


def exact_lines(ppr, before: int = 0, after: int = 0, line: int = LINE_PITCH) -> None:
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        ppr.append(spacing)
    spacing.set(qn("w:before"), str(before))
    spacing.set(qn("w:after"), str(after))
    spacing.set(qn("w:line"), str(line))
    spacing.set(qn("w:lineRule"), "exact")


def first_line_chars(ppr, chars: int) -> None:
    ind = OxmlElement("w:ind")
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * CHAR_PITCH)))
    ppr.append(ind)


def add_styles(doc) -> None:
    # Defaults for everything (docDefaults) — the body font, East Asian slot included.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    set_fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), BODY_FONT, BODY_PT)
    normal = doc.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT, BODY_PT)
    npr = normal.element.get_or_add_pPr()
    # No widow/orphan control: every page is filled to its 22 grid lines, as 公文 are typeset.
    widow = OxmlElement("w:widowControl")
    widow.set(qn("w:val"), "0")
    npr.insert(0, widow)
    exact_lines(npr)
    for name, font, size, bold, align, indent, outline in STYLES:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.paragraph_format.alignment = align
        ppr = style.element.get_or_add_pPr()
        if name in ("公文标题", "表格文字", "页码"):
            # Larger or smaller type than the grid cell: lay out by the font, not the grid.
            snap = OxmlElement("w:snapToGrid")
            snap.set(qn("w:val"), "0")
            ppr.append(snap)
        if name == "公文标题":
            exact_lines(ppr, after=LINE_PITCH)  # 标题下空一行
        elif name == "表格文字":
            exact_lines(ppr, line=360)
        else:
            exact_lines(ppr)
        if indent:
            first_line_chars(ppr, indent)
        if outline is not None:
            lvl = OxmlElement("w:outlineLvl")
            lvl.set(qn("w:val"), str(outline))
            ppr.append(lvl)
        set_fonts(style.element.get_or_add_rPr(), font, size, bold)


def page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance = Mm(15)
    # 页码一字线上距版心下边缘约 7 mm: the footer line (14 pt) sits 22–28 mm above the page edge.
    section.footer_distance = Mm(22)
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    sect.append(grid)
    settings = doc.settings.element
    if settings.find(qn("w:evenAndOddHeaders")) is None:
        settings.append(OxmlElement("w:evenAndOddHeaders"))
    lang = OxmlElement("w:themeFontLang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    settings.append(lang)


def page_number_footer(footer, align, indent_side: str) -> None:
    """'— N —' with a PAGE field, one character in from the outer edge."""
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = align
    ppr = p._p.get_or_add_pPr()
    ind = OxmlElement("w:ind")
    ind.set(qn(f"w:{indent_side}Chars"), "100")
    ind.set(qn(f"w:{indent_side}"), "280")  # one 14 pt character
    ppr.append(ind)
    exact_lines(ppr, line=280 + 60)

    def run(text: str | None = None, field: str | None = None):
        r = p.add_run()
        set_fonts(r._r.get_or_add_rPr(), PAGE_FONT, 14)
        if field == "begin" or field == "end" or field == "separate":
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), field)
            r._r.append(fc)
        elif field == "instr":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = " PAGE "
            r._r.append(it)
        else:
            r.text = text
        return r

    run("— ")
    run(field="begin")
    run(field="instr")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def styled(doc, style: str, text: str = ""):
    p = doc.add_paragraph(style=style)
    if text:
        r = p.add_run(text)
        s = doc.styles[style]
        rfonts = s.element.rPr.find(qn("w:rFonts"))
        size = s.element.rPr.find(qn("w:sz"))
        bold = s.element.rPr.find(qn("w:b"))
        set_fonts(r._r.get_or_add_rPr(), rfonts.get(qn("w:eastAsia")), int(size.get(qn("w:val"))) / 2,
                  bold is not None and bold.get(qn("w:val")) == "1")
    return p


def cell_text(cell, text: str, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    p = cell.paragraphs[0]
    p.style = cell.part.document.styles["表格文字"]
    p.alignment = align
    r = p.add_run(text)
    set_fonts(r._r.get_or_add_rPr(), BODY_FONT if not bold else H1_FONT, 14)


def build() -> bytes:
    doc = Document()
    add_styles(doc)
    page_setup(doc)
    # Odd pages (the default footer) right, even pages left.
    section = doc.sections[0]
    page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right")
    page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")
    for p in section.footer.paragraphs + section.even_page_footer.paragraphs:
        p.style = doc.styles["页码"]

    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)

    styled(doc, "公文标题", "{{ title }}")
    styled(doc, "公文正文", "{%p for b in blocks %}")
    styled(doc, "公文正文", "{%p if b.style == 'h1' %}")
    styled(doc, "一级标题", "{{ b.text }}")
    styled(doc, "公文正文", "{%p elif b.style == 'h2' %}")
    styled(doc, "二级标题", "{{ b.text }}")
    styled(doc, "公文正文", "{%p elif b.style == 'h3' %}")
    styled(doc, "三级标题", "{{ b.text }}")
    styled(doc, "公文正文", "{%p else %}")
    styled(doc, "公文正文", "{{ b.text }}")
    styled(doc, "公文正文", "{%p endif %}")
    styled(doc, "公文正文", "{%p endfor %}")
    styled(doc, "署名日期")  # 正文下空一行
    styled(doc, "署名日期", "{{ signer_line }}")
    styled(doc, "署名日期", "{{ date_line }}")

    # Appendix: every figure the report uses, on a page of its own.
    brk = styled(doc, "附件标识", "附表")
    brk.paragraph_format.page_break_before = True
    styled(doc, "公文标题", "{{ appendix_title }}")
    widths = [Mm(15), Mm(67), Mm(26), Mm(16), Mm(32)]  # 156 mm, the type area
    table = doc.add_table(rows=3, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    headers = ["序号", "项目", "数值", "单位", "来源"]
    for i, (cell, head) in enumerate(zip(table.rows[0].cells, headers, strict=True)):
        cell.width = widths[i]
        cell_text(cell, head, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    loop = table.rows[1].cells
    cell_text(loop[0], "{%tr for f in figures %}")
    data = table.rows[2].cells
    cell_text(data[0], "{{ f.n }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    cell_text(data[1], "{{ f.label }}")
    cell_text(data[2], "{{ f.value }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    cell_text(data[3], "{{ f.unit }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    cell_text(data[4], "{{ f.source }}")
    end = table.add_row().cells
    cell_text(end[0], "{%tr endfor %}")
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
        trpr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:cantSplit")
        trpr.append(header)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width.twips))
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    hdr = OxmlElement("w:tblHeader")
    table.rows[0]._tr.get_or_add_trPr().append(hdr)
    styled(doc, "表格文字", "{{ appendix_note }}")

    core = doc.core_properties
    core.title, core.author, core.comments = "述职报告模板", "dangjian", "GB/T 9704-2012 版式；可在 Word 中修改样式后上传"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def main() -> None:
    OUT.write_bytes(build())
    print(f"wrote {OUT} (charSpace {CHAR_SPACE}, char pitch {CHAR_PITCH:.1f} twips)")


if __name__ == "__main__":
    main()
