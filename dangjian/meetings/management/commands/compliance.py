"""`dangjian compliance --org 和平社区 --period 2023Q3 [--json]`: required vs held, branch by branch."""

import json
from datetime import date

from django.core.management import BaseCommand, CommandError

from dangjian.lib.periods import Period
from dangjian.meetings.compliance import OWED_NOTE, STATE_LABELS, check
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "组织生活达标情况：各类组织生活应开展与已开展、缺少和逾期的情况"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码或名称，如 和平社区、XH01")
        parser.add_argument("--period", required=True, help="期间：2023-07、2023Q3、2023")
        parser.add_argument("--as-of", help="以哪一天为准（默认今天），如 2023-10-08")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **opts):
        try:
            org = Org.resolve(opts["org"])
            period = Period.parse(opts["period"])
            as_of = date.fromisoformat(opts["as_of"]) if opts["as_of"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = check(org, period, as_of=as_of)
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        out = self.stdout.write
        out(f"{org.name} {period.label} 组织生活达标情况（截至 {result.as_of:%Y-%m-%d}）：{STATE_LABELS[result.state]}")
        out("\n按类型（应开展 / 已开展 / 达标期数）：")
        for t in result.by_type:
            if t.required is None:
                why = "本期不考核" if t.key else "无次数要求"
                out(f"  {t.label:<10} {why} / {t.held_total}")
            else:
                out(f"  {t.label:<10} {t.required} / {t.held_total} / {t.met_units}/{t.owed_units}  {t.source}")
        out("\n各支部：")
        for b in result.branches:
            note = f"（{b.note}）" if b.note else ""
            out(f"  {b.branch.name}{note}：{b.state_label}")
            for _, text in b.reasons(period):
                out(f"      - {text}")
            for c in b.checks:
                if c.not_applicable:
                    out(f"      · {c.rule.label}：{c.not_applicable}")
        if result.overdue or result.returned:
            out("\n逾期未提交、被退回：")
            for a in result.overdue:
                out(f"  {a.day:%Y-%m-%d} {a.org.name} {a.type.name}：{a.topic}（{'已召开未提交' if a.held_on else '计划日期已过'}）")
            for a in result.returned:
                out(f"  {a.day:%Y-%m-%d} {a.org.name} {a.type.name}：{a.topic}（被退回：{a.return_reason}）")
        if result.not_evaluated:
            out("\n本期不考核：" + "、".join(r.label for r in result.not_evaluated))
        out(f"\n计算规则：{OWED_NOTE}")
