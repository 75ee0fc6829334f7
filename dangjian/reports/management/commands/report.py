"""`dangjian report --org 和平社区党总支 --period 2023Q3 [--reporter 姓名] -o 报告.docx` — and
`--format json` to print every figure the report uses (with its label, unit, source and link) and,
for each paragraph, its text and what it rests on: its figure keys and record links (computed), or
that it is the secretary's own text, or a placeholder still to be written."""

import json
import sys
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from dangjian.lib.periods import Period
from dangjian.orgs.models import Org
from dangjian.reports import pdf
from dangjian.reports.drafting import paragraph_sources
from dangjian.reports.models import Report
from dangjian.reports.rendering import render_docx
from dangjian.reports.services import (
    active_template,
    build_document,
    compose,
    default_reporter_title,
    version_docx,
    version_json,
)


class Command(BaseCommand):
    help = "根据记录生成述职报告（.docx / .pdf），或以 JSON 输出报告用到的全部数字"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码或名称，如 和平社区党总支")
        parser.add_argument("--period", required=True, help="期间，如 2023Q3、2023H1、2023")
        parser.add_argument("--reporter", default="", help="述职人姓名（默认取组织的书记）")
        parser.add_argument("--reporter-title", default="", help="署名用的职务（默认“组织名称+书记”）")
        parser.add_argument("--format", choices=("docx", "pdf", "json"), default="docx")
        parser.add_argument("-o", "--output", help="输出文件（json 默认打印到屏幕）")
        parser.add_argument("--saved", action="store_true", help="输出系统中已保存的报告（有定稿用定稿，否则用最新草稿）")
        parser.add_argument("--json", action="store_true", help="同 --format json")

    def handle(self, *args, **opts):
        try:
            org = Org.resolve(opts["org"])
            period = Period.parse(opts["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        fmt = "json" if opts["json"] else opts["format"]
        if opts["saved"]:
            report = Report.objects.filter(org=org, period=str(period)).first()
            if report is None:
                raise CommandError(f"{org.name}{period.label}还没有保存的述职报告")
            version = report.final_version() or report.current_version()
            payload, data = version_json(version), (version_docx(version) if fmt != "json" else b"")
        else:
            d = compose(org, period)
            payload = {**d.snapshot, "title": d.title,
                       "paragraphs": [paragraph_sources(p.key, p.style, p.text, is_edited=False, snapshot=d.snapshot)
                                      for p in d.paragraphs]}
            data = b""
            if fmt != "json":
                reporter = opts["reporter"] or org.secretary or "（述职人）"
                title = opts["reporter_title"] or default_reporter_title(org)
                doc = build_document(title=d.title, items=[(p.style, p.text) for p in d.paragraphs],
                                     snapshot=d.snapshot, signer=f"{title}\u3000{reporter}", dated=d.dated_on)
                data = render_docx(doc, active_template())
        if fmt == "json":
            text = json.dumps(payload, ensure_ascii=False, indent=2)
            if opts["output"]:
                Path(opts["output"]).write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        if fmt == "pdf":
            try:
                data = pdf.docx_to_pdf(data)
            except pdf.ConversionError as exc:
                raise CommandError(str(exc)) from exc
        out = opts["output"] or f"{org.display_name}{period.label}述职报告.{fmt}"
        if out == "-":
            sys.stdout.buffer.write(data)
            return
        Path(out).write_bytes(data)
        self.stdout.write(f"已生成 {out}（{len(data) // 1024} KB）")
