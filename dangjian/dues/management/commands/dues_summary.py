"""`dangjian dues summary --org NAME --period 2023Q3 [--asof 2023-09-30] [--json]`"""

import json
from datetime import date

from django.core.management import BaseCommand, CommandError

from dangjian.dues.figures import for_period
from dangjian.lib.money import fmt_money
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "党费收缴情况汇总：应交、实交、欠交、按时足额率、连续未交预警"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织（代码或名称）")
        parser.add_argument("--period", required=True, help="期间，如 2023-07、2023Q3、2023H1、2023")
        parser.add_argument("--asof", help="统计截至日期（默认：期末，期间未结束时为今天）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, org, period, asof, json: bool, **opts):
        try:
            target = Org.resolve(org)
            span = Period.parse(period)
            day = date.fromisoformat(asof) if asof else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        f = for_period(target, span, day)
        if json:
            self.stdout.write(_dumps(f.as_json()))
            return
        w = self.stdout.write
        w(f"{target.name} {span.label} 党费收缴情况（统计截至 {f.asof:%Y-%m-%d}）")
        w(f"  应交党费人数 {f.members.value} 人")
        w(f"  应交 {fmt_money(f.due.value)} 元　实交 {fmt_money(f.paid.value)} 元　欠交 {fmt_money(f.arrears.value)} 元"
          f"　未到期 {fmt_money(f.pending.value)} 元（应交 = 实交 + 欠交 + 未到期）")
        w(f"  其中未到期月份已交 {fmt_money(f.paid_ahead.value)} 元　自愿多交 {fmt_money(f.extra.value)} 元"
          f"　预交以后月份 {fmt_money(f.prepaid.value)} 元")
        w(f"  按时足额 {f.on_time.value}/{f.judged} 人，按时足额率 {f.on_time_rate.value}%")
        w(f"  {f.warned.label} {f.warned.value} 人；{f.alarmed.label} {f.alarmed.value} 人")
        w(f"  {f.unassessed.label} {f.unassessed.value} 人；{f.large_payments.label} {f.large_payments.value} 笔")
        for r in f.arrears_rows[:20]:
            flag = {"alarm": "【告警】", "warn": "【预警】"}.get(r.level, "")
            w(f"    {flag}{r.member.name}（{r.branch.name if r.branch else ''}）欠 {fmt_money(r.owed_total)} 元："
              f"{r.owed_label}")
        if len(f.arrears_rows) > 20:
            w(f"    ……共 {len(f.arrears_rows)} 人，完整名单请用 --json")
        w(f"  口径：{f.definitions['on_time']}")
        w(f"  依据：{f.rules['employed_brackets'].source}；{f.definitions['rounding']}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
