"""The roster export's heading carries the organisation's name: a formula there stays text."""

import io

from django.urls import reverse
from openpyxl import load_workbook


def test_it_writes_an_organisation_named_like_a_formula_as_text(world, client):
    world.community.name = '=HYPERLINK("http://x","y")'
    world.community.save()
    client.force_login(world.secretary)
    response = client.get(reverse("member_export"), {"org": world.community.pk})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).worksheets[0]
    assert sheet["A1"].data_type == "s" and str(sheet["A1"].value).startswith("=HYPERLINK")
