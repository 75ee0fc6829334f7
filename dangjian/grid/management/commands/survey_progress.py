"""`dangjian survey progress --campaign NAME [--community ORG] [--json]`."""

import json

from django.core.management import BaseCommand, CommandError

from dangjian.grid.models import Campaign
from dangjian.grid.progress import campaign_progress
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "查看户籍摸排进度（按网格、网格员）"

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="摸排任务名称，如“2023年三季度户籍摸排”")
        parser.add_argument("--community", "--org", dest="community", help="社区（组织代码或名称），同名任务不唯一时使用")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, campaign, community, json: bool, **opts):
        qs = Campaign.objects.filter(name=campaign.strip()).select_related("community")
        if community:
            try:
                qs = qs.in_org(Org.resolve(community))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        found = list(qs[:2])
        if not found:
            raise CommandError(f"找不到摸排任务“{campaign}”")
        if len(found) > 1:
            raise CommandError(f"摸排任务“{campaign}”不唯一，请用 --community 指定社区")
        progress = campaign_progress(found[0])
        if json:
            self.stdout.write(_dumps(progress.as_json()))
            return
        c, o = progress.campaign, progress.overall
        self.stdout.write(f"{c.community.name} · {c.name}（{c.starts_on:%Y-%m-%d} — {c.deadline:%Y-%m-%d}）")
        self.stdout.write(f"已完成 {o.done}/{o.total} 户（{o.percent}%），已登记居民 {o.residents} 人，发现变更 {o.changes} 项，待复访 {o.revisit} 户")
        self.stdout.write("\n按网格：")
        for p in progress.by_grid:
            self.stdout.write(f"  {p.label:<8} {p.done:>5}/{p.total:<5} {p.percent:>3}%  居民 {p.residents:>5}  变更 {p.changes:>4}")
        self.stdout.write("\n按网格员：")
        for p in progress.by_worker:
            self.stdout.write(f"  {p.label:<8} {p.done:>5}/{p.total:<5}  居民 {p.residents:>5}  变更 {p.changes:>4}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
