"""`dangjian export problems --org NAME --period 2023 -o FILE`: the 问题整改台账 as .xlsx."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from dangjian.lib.periods import Period
from dangjian.orgs.models import Org
from dangjian.plans.choices import LedgerShow
from dangjian.plans.exporting import ledger_rows, ledger_xlsx
from dangjian.plans.models import Problem


class Command(BaseCommand):
    help = "导出问题整改台账（.xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织（代码或名称）")
        parser.add_argument("--period", required=True, help="期间，如 2023、2023H1、2023Q3")
        parser.add_argument("--show", default=LedgerShow.ACTIVE, choices=LedgerShow.values,
                            help="active 期内在账（默认）/ found 期内发现 / closed 期内销号 / open 期末未销号")
        parser.add_argument("-o", "--output", help="输出文件 .xlsx，默认“<组织><期间>问题整改台账.xlsx”")

    def handle(self, *args, org, period, show, output, **opts):
        try:
            target, span = Org.resolve(org), Period.parse(period)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        problems = (Problem.objects.in_org(target).in_ledger(span, show)
                    .select_related("org", "category", "source", "closed_by")
                    .prefetch_related("causes", "measures", "events").order_by("found_on", "pk"))
        rows = ledger_rows(problems, span)
        path = Path(output or f"{target.name}{span.label}问题整改台账.xlsx")
        path.write_bytes(ledger_xlsx(target, span, rows, LedgerShow(show).label))
        self.stdout.write(f"已导出 {len(rows.problems)} 个问题、{len(rows.measures)} 条整改措施到 {path}")
