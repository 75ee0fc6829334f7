"""Records in, bytes out: the report as a .docx from a docxtpl template (built-in or uploaded).

Pure functions: `render_docx(document, template=None)` takes a `DocxDocument` (title, blocks,
signature, figures) and returns the file. The template decides the look; this module only fills
it in and then makes sure every run names its East Asian font (w:eastAsia), taking the font of
the run's paragraph style when a restyled template left it out.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BUILTIN_TEMPLATE = Path(__file__).with_name("templates_docx") / "default.docx"
LINE_CHARS = 28  # GB/T 9704: 28 characters a line


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Block:
    style: str  # h1 | h2 | h3 | body
    text: str


@dataclass
class DocxDocument:
    title: str
    blocks: list[Block]
    signer: str
    dated: date
    figures: list[dict] = field(default_factory=list)  # {label, value, unit, source}
    appendix_title: str = "本报告数据来源一览"
    appendix_note: str = ""


def cn_date(day: date) -> str:
    """GB/T 9704 成文日期: Arabic digits, no zero padding — 2023年9月30日."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width(text: str) -> float:
    """Width in character cells: full-width (CJK) characters 1, half-width (digits, Latin) ½."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def signature_lines(signer: str, dated: date, line_chars: int = LINE_CHARS) -> tuple[str, str]:
    """The signer two characters from the right; the date one line below starting two characters
    right of the signer's first character — unless the date is then too long, in which case the
    date keeps two characters from the right and the signer moves left (GB/T 9704 7.3.5.2).
    Returned as lines padded with ideographic spaces, so any template lays them out alike."""
    date_text = cn_date(dated)
    s_w, d_w = text_width(signer), text_width(date_text)
    date_right = max(2.0, s_w - 2 - d_w + 2)
    signer_right = date_right + d_w + 2 - s_w
    signer_left = max(0.0, line_chars - signer_right - s_w)
    date_left = max(0.0, line_chars - date_right - d_w)
    return _pad(signer_left) + signer, _pad(date_left) + date_text


def _pad(cells: float) -> str:
    whole = int(cells)
    return "\u3000" * whole + (" " if cells - whole >= 0.5 else "")


def split_blocks(blocks: list[Block]) -> list[dict]:
    """One paragraph per line: a paragraph typed with line breaks becomes several of one style."""
    out = []
    for b in blocks:
        for line in (b.text or "").splitlines() or [""]:
            line = line.strip()
            if line:
                out.append({"style": b.style, "text": line})
    return out


def context(doc: DocxDocument) -> dict:
    signer_line, date_line = signature_lines(doc.signer, doc.dated)
    return {
        "title": doc.title,
        "blocks": split_blocks(doc.blocks),
        "signer_line": signer_line,
        "date_line": date_line,
        "figures": [{"n": i, **f} for i, f in enumerate(doc.figures, start=1)],
        "appendix_title": doc.appendix_title,
        "appendix_note": doc.appendix_note,
    }


def render_docx(doc: DocxDocument, template: bytes | None = None) -> bytes:
    data = template or _builtin_template()
    tpl = DocxTemplate(io.BytesIO(data))
    tpl.render(context(doc), autoescape=True)
    # The fonts go into the rendered trees before the one save (not a second unzip, parse and
    # re-compress of the whole file); the styles' fonts are read once per template.
    fonts = _template_fonts(data)
    _fill_tree(tpl.docx.element, *fonts)
    for rel in tpl.docx.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            _fill_tree(rel.target_part.element, *fonts)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


@lru_cache(maxsize=1)
def _builtin_template() -> bytes:
    return BUILTIN_TEMPLATE.read_bytes()


@lru_cache(maxsize=4)
def _template_fonts(template: bytes) -> tuple[dict[str, str], str | None, str | None]:
    return _style_fonts(zipfile.ZipFile(io.BytesIO(template)).read("word/styles.xml"))


def validate_template(template: bytes) -> None:
    """Raise ValueError (in Chinese) when an uploaded template cannot render a sample report."""
    sample = DocxDocument(title="示例社区2023年第三季度基层党建述职报告",
                          blocks=[Block("h1", "一、履职情况"), Block("body", "示例正文。")],
                          signer="示例社区党总支书记　张三", dated=date(2023, 9, 30),
                          figures=[{"label": "正式党员", "value": "1", "unit": "人", "source": "党员名册"}])
    try:
        data = render_docx(sample, template)
    except Exception as exc:  # docxtpl raises jinja2 and zip errors alike
        raise ValueError(f"模板无法使用：{exc}") from exc
    text = docx_text(data)
    if "示例正文" not in text or "一、履职情况" not in text:
        raise ValueError("模板中缺少正文循环（{%p for b in blocks %} … {{ b.text }}），请参照内置模板修改")


# --- East Asian font names on every run ---------------------------------------------------------

def _style_fonts(styles_xml: bytes) -> tuple[dict[str, str], str | None, str | None]:
    """Effective w:eastAsia font of each paragraph style (following basedOn), the default one,
    and the id of the default paragraph style."""
    root = etree.fromstring(styles_xml)
    direct: dict[str, str | None] = {}
    based: dict[str, str | None] = {}
    default_style = None
    for s in root.iter(_w("style")):
        sid = s.get(_w("styleId"))
        fonts = s.find(f"{_w('rPr')}/{_w('rFonts')}")
        direct[sid] = fonts.get(_w("eastAsia")) if fonts is not None else None
        base = s.find(_w("basedOn"))
        based[sid] = base.get(_w("val")) if base is not None else None
        if s.get(_w("type")) == "paragraph" and s.get(_w("default")) in ("1", "true"):
            default_style = sid
    doc_default = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}/{_w('rFonts')}")
    fallback = doc_default.get(_w("eastAsia")) if doc_default is not None else None

    def effective(sid: str | None, seen=()) -> str | None:
        if sid is None or sid in seen:
            return fallback
        return direct.get(sid) or effective(based.get(sid), (*seen, sid))

    return {sid: effective(sid) for sid in direct}, fallback, default_style


def _fill_part(xml: bytes, fonts: dict[str, str], fallback: str | None, default_style: str | None) -> bytes:
    root = etree.fromstring(xml)
    _fill_tree(root, fonts, fallback, default_style)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _fill_tree(root, fonts: dict[str, str], fallback: str | None, default_style: str | None) -> None:
    """Every run under root names its East Asian font (its paragraph style's, else the default)."""
    for run in root.iter(_w("r")):
        rpr = run.find(_w("rPr"))
        if rpr is None:
            rpr = etree.Element(_w("rPr"))
            run.insert(0, rpr)
        rfonts = rpr.find(_w("rFonts"))
        if rfonts is not None and rfonts.get(_w("eastAsia")):
            continue
        para = next((a for a in run.iterancestors(_w("p"))), None)
        pstyle = para.find(f"{_w('pPr')}/{_w('pStyle')}") if para is not None else None
        font = fonts.get(pstyle.get(_w("val"))) if pstyle is not None else fonts.get(default_style)
        font = font or fallback
        if not font:
            continue
        if rfonts is None:
            rfonts = etree.Element(_w("rFonts"))
            rpr.insert(0, rfonts)
        rfonts.set(_w("eastAsia"), font)


def fill_east_asian_fonts(docx: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    fonts, fallback, default_style = _style_fonts(src.read("word/styles.xml"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            name = info.filename
            if name == "word/document.xml" or (name.startswith("word/footer") or name.startswith("word/header")) and name.endswith(".xml"):
                data = _fill_part(data, fonts, fallback, default_style)
            dst.writestr(info, data)
    return out.getvalue()


def docx_text(docx: bytes) -> str:
    """All paragraph text of the body (tables included), one paragraph a line."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    lines = []
    for p in root.iter(_w("p")):
        lines.append("".join(t.text or "" for t in p.iter(_w("t"))))
    return "\n".join(lines)
