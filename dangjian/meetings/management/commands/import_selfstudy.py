"""`dangjian import selfstudy FILE --org 第一党支部 [--dry-run] [--json]`: self-study records from a spreadsheet."""

import json

from django.core.management import BaseCommand, CommandError

from dangjian.lib.tabular import TabularError
from dangjian.meetings.importing import study_import_apply, study_import_plan
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "导入党员自学记录（.xlsx/.xls/.csv），按行报告错误"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="党员所在组织（代码或名称）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **opts):
        try:
            org = Org.resolve(opts["org"])
            plan = study_import_plan(opts["file"], org=org)
        except (ValueError, TabularError) as exc:
            raise CommandError(str(exc)) from exc
        if not opts["dry_run"]:
            study_import_apply(plan)
        if opts["json"]:
            self.stdout.write(json.dumps(plan.as_json() | {"written": not opts["dry_run"]}, ensure_ascii=False, indent=2))
            return
        verb = "可导入" if opts["dry_run"] else "已导入"
        self.stdout.write(f"{verb} {plan.accepted} 条，重复跳过 {len(plan.duplicates)} 条，错误 {len(plan.rejected)} 处")
        for e in plan.rejected:
            self.stdout.write(f"  第{e.row}行 {e.column}：{e.reason}")
