"""Reading a .docx back for the format tests: page setup, styles resolved per paragraph."""

import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class Docx:
    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.doc = etree.fromstring(self.zip.read("word/document.xml"))
        self.styles = etree.fromstring(self.zip.read("word/styles.xml"))
        self.settings = etree.fromstring(self.zip.read("word/settings.xml"))
        self.by_id = {s.get(w("styleId")): s for s in self.styles.iter(w("style"))}

    def part(self, name: str):
        return etree.fromstring(self.zip.read(name))

    @property
    def sect(self):
        return self.doc.find(".//w:body/w:sectPr", NS)

    def style_name(self, p) -> str:
        ps = p.find("w:pPr/w:pStyle", NS)
        sid = ps.get(w("val")) if ps is not None else None
        style = self.by_id.get(sid)
        return style.find("w:name", NS).get(w("val")) if style is not None else "Normal"

    def _style_chain(self, p):
        ps = p.find("w:pPr/w:pStyle", NS)
        sid = ps.get(w("val")) if ps is not None else None
        while sid:
            style = self.by_id.get(sid)
            if style is None:
                break
            yield style
            base = style.find("w:basedOn", NS)
            sid = base.get(w("val")) if base is not None else None

    def run_prop(self, p, r, tag: str, attr: str = "val"):
        """Effective run property: the run, then its paragraph style chain, then docDefaults."""
        for holder in [r.find("w:rPr", NS), *(s.find("w:rPr", NS) for s in self._style_chain(p)),
                       self.styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)]:
            if holder is None:
                continue
            el = holder.find(f"w:{tag}", NS)
            if el is not None and el.get(w(attr)) is not None:
                return el.get(w(attr))
        return None

    def para_prop(self, p, path: str, attr: str):
        for holder in [p.find("w:pPr", NS), *(s.find("w:pPr", NS) for s in self._style_chain(p))]:
            if holder is None:
                continue
            el = holder.find(path, NS)
            if el is not None and el.get(w(attr)) is not None:
                return el.get(w(attr))
        return None

    def paragraphs(self):
        """(style name, text, paragraph element) of the body's paragraphs with text, tables excluded."""
        body = self.doc.find("w:body", NS)
        for p in body.findall("w:p", NS):
            text = "".join(t.text or "" for t in p.iter(w("t")))
            if text.strip():
                yield self.style_name(p), text, p

    def text(self) -> str:
        return "\n".join("".join(t.text or "" for t in p.iter(w("t"))) for p in self.doc.iter(w("p")))

    def table_rows(self) -> list[list[str]]:
        rows = []
        for tr in self.doc.iter(w("tr")):
            rows.append(["".join(t.text or "" for t in tc.iter(w("t"))) for tc in tr.findall("w:tc", NS)])
        return rows
