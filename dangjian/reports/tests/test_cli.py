import io
import json

from django.core.management import call_command

from dangjian.reports.rendering import docx_text


def test_it_writes_the_docx(world, tmp_path):
    out = tmp_path / "r.docx"
    call_command("report", org="和平社区党总支", period="2023Q3", reporter="刘书记", output=str(out), stdout=io.StringIO())
    text = docx_text(out.read_bytes())
    assert "和平社区2023年第三季度基层党建述职报告" in text and "和平社区党总支书记\u3000刘书记" in text


def test_it_prints_every_figure_as_json(world):
    buf = io.StringIO()
    call_command("report", org="HP", period="2023Q3", format="json", stdout=buf)
    data = json.loads(buf.getvalue())
    assert data["figures"]["members.total"]["value"] == 2
    assert data["figures"]["members.total"]["source"] == "党员名册"
    assert all({"label", "value", "unit", "link", "source"} <= f.keys() for f in data["figures"].values())
