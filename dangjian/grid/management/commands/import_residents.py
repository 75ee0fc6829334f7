"""`dangjian import residents FILE --community NAME [--dry-run] [--json]`."""

import json
import os
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from dangjian.grid.importing import run_job
from dangjian.grid.models import ImportJob
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "导入居民登记表（.xlsx/.xls/.csv，每行一位居民，含楼栋/单元/房号列）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--community", "--org", dest="community", required=True, help="社区（组织代码或名称）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出 JSON（进度仍写到标准错误）")
        parser.add_argument("--user", help="记为导入人的账号（用户名）")

    def handle(self, *args, file, community, dry_run, json: bool, user, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            org = Org.resolve(community)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not org.is_community:
            raise CommandError(f"“{org.name}”不是社区（社区党委/党总支），请指定社区")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"找不到账号“{user}”")
        job = ImportJob.objects.create(community=org, user=account, filename=path.name, path=str(path.resolve()),
                                       dry_run=dry_run)
        started = time.monotonic()
        show = sys.stderr.isatty() or os.environ.get("DANGJIAN_PROGRESS") == "1"
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if not show or (now - last[0] < 0.3 and done < total):
                return
            last[0] = now
            bar = ""
            if total:
                filled = min(30, round(30 * done / total))
                bar = f"[{'#' * filled}{'.' * (30 - filled)}] {min(100, round(100 * done / total)):>3}% "
            rate = done / max(now - started, 1e-6)
            sys.stderr.write(f"\r{'检查' if dry_run else '导入'} {bar}{done:,}{f'/{total:,}' if total else ''} 行  {rate:,.0f} 行/秒 ")
            sys.stderr.flush()

        job = run_job(job, progress)
        if show:
            last[0] = 0.0
            progress(job.processed, job.processed)  # the estimate was only an estimate: end at 100 %
            sys.stderr.write("\n")
        if job.status != "done":
            if json:
                self.stdout.write(_dumps({"status": job.status, "error": job.error}))
            raise CommandError(job.error or "导入失败")
        summary = {"status": job.status, "dry_run": job.dry_run, "community": org.name, "file": path.name,
                   "rows": job.processed, "created": job.created, "updated": job.updated, "unchanged": job.unchanged,
                   "rejected": job.rejected, "households_created": job.households_created,
                   "buildings_created": job.buildings_created, "members_linked": job.members_linked,
                   "seconds": round(job.seconds or 0, 2), "rejects": job.rejects, "notes": job.notes}
        if json:
            self.stdout.write(_dumps(summary))
            return
        verb = "检查完成（未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{verb}：{job.processed} 行，新增 {job.created}，更新 {job.updated}，无变化 {job.unchanged}，"
                          f"拒绝 {job.rejected}；新建住户 {job.households_created}、楼栋 {job.buildings_created}；"
                          f"关联党员 {job.members_linked}；用时 {summary['seconds']} 秒")
        for n in job.notes[:50]:
            where = f"第{n['row']}行 " if n.get("row") else ""
            self.stdout.write(f"  {n.get('sheet', '')}{where}{n['note']}")
        for e in job.rejects[:50]:
            self.stdout.write(f"  {e.get('sheet', '')}第{e['row']}行 {e['column']}：{e['reason']}")
        if len(job.rejects) > 50 or job.rejected > len(job.rejects):
            self.stdout.write("  ……（用 --json 查看全部已记录的原因）")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
