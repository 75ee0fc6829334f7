"""PDF output and Word's editing restriction, checked with the installed LibreOffice.

What "LibreOffice honours the restriction" means here, verified on LibreOffice 7.4 headless:
it imports `w:documentProtection w:edit="readOnly" w:enforcement="1"` as a read-only document
(the ODT it writes carries LoadReadonly=true; an unprotected report gives false), and when it
saves the file back to .docx it writes the same restriction with the same hash and salt, so
the restriction survives an edit-and-save round trip through LibreOffice.
"""

import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest

from dangjian.reports import pdf
from dangjian.reports.protection import protect_docx, read_protection
from dangjian.reports.services import report_finalise, version_docx

from .conftest import write_placeholders

pytestmark = pytest.mark.skipif(not shutil.which("soffice") and not os.environ.get("CI"),
                                reason="LibreOffice not installed (apt-get install libreoffice-writer-nogui fonts-noto-cjk poppler-utils)")


def _load_readonly(docx: bytes) -> str:
    odt = pdf.convert_to(docx, "odt", "odt")
    settings = zipfile.ZipFile(io.BytesIO(odt)).read("settings.xml").decode()
    return re.search(r'config:name="LoadReadonly" config:type="boolean">(\w+)<', settings).group(1)


def test_it_converts_the_report_to_an_a4_pdf_with_cjk_fonts(world, report, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.docx_to_pdf(version_docx(report.current_version())))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info and int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
    assert "CJK" in subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_libreoffice_opens_the_protected_docx_read_only(world, report):
    write_placeholders(report, world.secretary)
    final = report_finalise(report=report, user=world.secretary)
    data = version_docx(final)
    assert _load_readonly(data) == "false"
    assert _load_readonly(protect_docx(data, "wsx2023")) == "true"


def test_libreoffice_keeps_the_restriction_when_it_saves_docx(world, report):
    write_placeholders(report, world.secretary)
    protected = protect_docx(version_docx(report_finalise(report=report, user=world.secretary)), "wsx2023")
    saved = pdf.convert_to(protected, "docx:MS Word 2007 XML", "docx")
    assert read_protection(saved) == read_protection(protected)
