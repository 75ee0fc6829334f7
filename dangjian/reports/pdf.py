"""PDF through LibreOffice (`soffice --headless --convert-to pdf`), when it is installed.

The official fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体) are rarely installed on
Linux. For the conversion we hand LibreOffice a fontconfig file that maps each of them to an
installed CJK font (Noto Serif/Sans CJK SC, or AR PL UKai for 楷体 when present), so the PDF has
Chinese glyphs in the right places; the .docx itself keeps the official font names. The UI says
which fonts were substituted (`font_substitutions()`).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

# Official font → candidates, first installed one wins (fontconfig family names).
FALLBACKS: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": ("FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "Source Han Serif SC"),
    "仿宋_GB2312": ("FangSong_GB2312", "FangSong", "仿宋", "Noto Serif CJK SC", "Source Han Serif SC"),
    "楷体_GB2312": ("KaiTi_GB2312", "KaiTi", "楷体", "AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC"),
    "黑体": ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC"),
    "宋体": ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC"),
}
# The title font is a heavy serif; Noto Serif CJK in bold is the closest stand-in.
BOLD_STANDIN = {"方正小标宋简体"}
TIMEOUT = 120


def soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    return None


def available() -> bool:
    return soffice() is not None


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    if not shutil.which("fc-list"):
        return frozenset()
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def font_substitutions() -> dict[str, str | None]:
    """Official font → the installed font used in the PDF (itself when installed, None if none)."""
    families = installed_families()
    result: dict[str, str | None] = {}
    for official, candidates in FALLBACKS.items():
        if official in families:
            result[official] = official
            continue
        result[official] = next((c for c in candidates if c in families), None)
    return result


def fontconfig_xml() -> str:
    rules = []
    for official, substitute in font_substitutions().items():
        if not substitute or substitute == official:
            continue
        weight = '<edit name="weight" mode="assign"><const>bold</const></edit>' if official in BOLD_STANDIN else ""
        rules.append(
            f'<match target="pattern"><test name="family"><string>{official}</string></test>'
            f'<edit name="family" mode="assign" binding="strong"><string>{substitute}</string></edit>{weight}</match>'
        )
    return ('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' + "".join(rules) + "</fontconfig>")


class ConversionError(RuntimeError):
    pass


def line_grid_only(docx: bytes) -> bytes:
    """The same document with Word's line-and-character grid reduced to a line grid.

    LibreOffice lays a 16 pt glyph that is wider than the 15.8 pt character cell (28 cells in
    156 mm) over two cells, which spreads lines to ~14 characters. The template condenses body
    text by 0.25 pt so 28 characters fit a line on their own; with the line grid alone (same
    28.95 pt pitch, 22 lines) LibreOffice then sets 22 × 28 like Word does with its grid.
    Only the copy handed to LibreOffice is changed; the .docx users get keeps Word's grid."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b'w:type="linesAndChars"', b'w:type="lines"')
            dst.writestr(info, data)
    return out.getvalue()


def docx_to_pdf(docx: bytes) -> bytes:
    """Convert with a private LibreOffice profile (so conversions can run side by side)."""
    binary = soffice()
    if binary is None:
        raise ConversionError("本机未安装 LibreOffice，无法生成 PDF（可下载 .docx 后用 Word/WPS 另存为 PDF）")
    with tempfile.TemporaryDirectory(prefix="dj-pdf-") as tmp:
        work = Path(tmp)
        (work / "report.docx").write_bytes(line_grid_only(docx))
        (work / "fonts.conf").write_text(fontconfig_xml(), encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf"), "HOME": str(work)}
        cmd = [binary, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(work), str(work / "report.docx")]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError("LibreOffice 转换超时") from exc
        pdf = work / "report.pdf"
        if proc.returncode != 0 or not pdf.exists():
            raise ConversionError(f"LibreOffice 转换失败：{(proc.stderr or proc.stdout).strip()[:300]}")
        return pdf.read_bytes()


def convert_to(docx: bytes, fmt: str, suffix: str) -> bytes:
    """Another LibreOffice conversion (e.g. odt, or docx round-trip) — used to check protection."""
    binary = soffice()
    if binary is None:
        raise ConversionError("本机未安装 LibreOffice")
    with tempfile.TemporaryDirectory(prefix="dj-conv-") as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        (work / "in" / "report.docx").write_bytes(docx)
        cmd = [binary, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(work), str(work / "in" / "report.docx")]
        subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, env={**os.environ, "HOME": str(work)})
        out = work / f"report.{suffix}"
        if not out.exists():
            raise ConversionError(f"LibreOffice 转换为 {fmt} 失败")
        return out.read_bytes()
