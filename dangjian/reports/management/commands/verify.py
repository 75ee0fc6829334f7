"""`dangjian verify --org 新华街道党工委 --period 2023Q3 [--json]` (or `--from 2023Q1 --to 2024Q4`):
check every relation between the figures of that org and every org below it; print each one that
does not hold (org, period, relation, the numbers). Exit status 1 if any does not hold."""

import json
import sys

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.orgs.models import Org
from dangjian.reports import invariants


class Command(BaseCommand):
    help = "核对各项统计数字之间的关系（分项之和等于总数等），列出不成立的关系；有不成立的返回 1"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码或名称，如 新华街道党工委（含其下所有组织）")
        parser.add_argument("--period", help="期间，如 2023Q3、2023H1、2023")
        parser.add_argument("--from", dest="first", help="起始季度，如 2023Q1（与 --to 一起按季度逐一核对）")
        parser.add_argument("--to", dest="last", help="截止季度，如 2024Q4（默认：上一个已结束的季度）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        try:
            org = Org.resolve(opts["org"])
            periods = self._periods(opts)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        orgs = Org.objects.subtree_of(org).count()
        found = invariants.check_range(org, periods, below=True)
        if opts["json"]:
            self.stdout.write(json.dumps({
                "org": org.name, "periods": [str(p) for p in periods], "orgs_checked": orgs,
                "ok": not found, "violations": [v.as_json() for v in found],
            }, ensure_ascii=False, indent=2))
        else:
            for v in found:
                self.stdout.write(str(v))
            span = str(periods[0]) if len(periods) == 1 else f"{periods[0]}–{periods[-1]}"
            summary = (f"核对 {org.name} 及其下 {orgs - 1} 个组织，{span}共 {len(periods)} 个期间："
                       + (f"{len(found)} 处不成立。" if found else "全部成立。"))
            self.stdout.write(summary)
        if found:
            sys.exit(1)

    @staticmethod
    def _periods(opts) -> list[Period]:
        if opts["period"] and (opts["first"] or opts["last"]):
            raise ValueError("--period 与 --from/--to 只能选一种")
        if opts["period"]:
            return [Period.parse(opts["period"])]
        if not opts["first"]:
            raise ValueError("请用 --period 指定期间，或用 --from/--to 指定季度范围")
        first = Period.parse(opts["first"])
        last = Period.parse(opts["last"]) if opts["last"] else Period.of(timezone.localdate(), "quarter").previous()
        if last.last_day < first.first_day:
            raise ValueError(f"--to {last} 早于 --from {first}")
        return invariants.quarters(first, last)
