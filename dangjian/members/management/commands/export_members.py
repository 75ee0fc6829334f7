"""`dangjian export members --org NAME -o FILE`"""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from dangjian.members.importing import roster_xlsx
from dangjian.members.models import Member
from dangjian.orgs.models import AccessLog, Org
from dangjian.orgs.scoping import log_access


class Command(BaseCommand):
    help = "导出党员花名册（.xlsx，与导入格式相同）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织（代码或名称）")
        parser.add_argument("-o", "--output", required=True, help="输出文件 .xlsx")
        parser.add_argument("--archived", action="store_true", help="导出历史党员（已归档）")

    def handle(self, *args, org, output, archived, **opts):
        try:
            target = Org.resolve(org)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        members = Member.objects.in_org(target).select_related("org", "org__parent")
        members = members.filter(archived_on__isnull=not archived)
        Path(output).write_bytes(roster_xlsx(target, members))
        log_access(None, AccessLog.Action.EXPORT, f"命令行导出党员名册 {target} {members.count()}人")
        self.stdout.write(f"已导出 {members.count()} 人到 {output}")
