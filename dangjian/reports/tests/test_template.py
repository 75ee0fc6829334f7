import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.shared import Pt

from dangjian.reports.models import ReportTemplate
from dangjian.reports.rendering import BUILTIN_TEMPLATE, docx_text
from dangjian.reports.services import version_docx
from dangjian.testing.factories import UserFactory


def _admin(client_for):
    return client_for(UserFactory(username="root", is_staff=True, is_superuser=True))


def _restyled() -> bytes:
    """The built-in template with the body style changed as a user would in Word (15 pt)."""
    doc = Document(str(BUILTIN_TEMPLATE))
    doc.styles["公文正文"].font.size = Pt(15)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_it_accepts_a_restyled_template_and_uses_it(client_for, world, report):
    upload = SimpleUploadedFile("我的模板.docx", _restyled())
    response = _admin(client_for).post(reverse("admin:reports_reporttemplate_add"),
                                       {"name": "本街道模板", "file": upload, "is_active": "on"})
    assert response.status_code == 302 and ReportTemplate.objects.filter(is_active=True).count() == 1
    out = version_docx(report.current_version())
    assert "和平社区2023年第三季度基层党建述职报告" in docx_text(out)
    assert Document(io.BytesIO(out)).styles["公文正文"].font.size == Pt(15)


def test_it_rejects_a_template_without_the_body_loop(client_for, world):
    buf = io.BytesIO()
    Document().save(buf)
    upload = SimpleUploadedFile("空白.docx", buf.getvalue())
    response = _admin(client_for).post(reverse("admin:reports_reporttemplate_add"), {"name": "空白", "file": upload})
    assert "模板中缺少正文循环" in response.content.decode()
    assert not ReportTemplate.objects.exists()
