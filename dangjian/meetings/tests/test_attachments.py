"""Photos and PDFs of an activity: type and size limits, served only through the scoped view."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.meetings.choices import Status
from dangjian.meetings.models import ATTACHMENT_MAX_BYTES, Attachment

from .helpers import held

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%" + b"\x00" * 64


def _upload(client, activity, name: str, content: bytes):
    return client.post(reverse("meeting_attachment_add", args=[activity.pk]),
                       {"file": SimpleUploadedFile(name, content)}, follow=True)


@pytest.mark.parametrize(("name", "content", "kind"), [("会场.png", PNG, "image/png"), ("会议记录.pdf", PDF, "application/pdf")])
def test_it_accepts_photos_and_pdfs(world, client_for, name, content, kind):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT)
    _upload(client_for(world.worker_b), a, name, content)
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == (name, kind)
    assert name not in attachment.file.name  # stored under a random name


def test_it_refuses_other_file_types(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT)
    response = _upload(client_for(world.worker_b), a, "脚本.exe", b"MZ\x90\x00")
    assert not Attachment.objects.exists() and "类型不支持" in response.content.decode()


def test_it_refuses_a_file_whose_content_does_not_match_its_name(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT)
    response = _upload(client_for(world.worker_b), a, "照片.jpg", PDF)
    assert not Attachment.objects.exists() and "内容与扩展名不符" in response.content.decode()


def test_it_refuses_a_file_over_ten_megabytes(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT)
    response = _upload(client_for(world.worker_b), a, "大图.png", PNG + b"\x00" * ATTACHMENT_MAX_BYTES)
    assert not Attachment.objects.exists() and "超过 10 MB" in response.content.decode()


def test_it_serves_an_image_inline_with_nosniff(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1), status=Status.DRAFT)
    client = client_for(world.worker_b)
    _upload(client, a, "会场.png", PNG)
    response = client.get(reverse("meeting_attachment", args=[Attachment.objects.get().pk]), {"inline": "1"})
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_it_takes_no_attachment_on_a_submitted_record(world, client_for):
    a = held(world.branch_b, "theme_day", date(2023, 7, 1))
    _upload(client_for(world.worker_b), a, "会场.png", PNG)
    assert not Attachment.objects.exists()
