"""`dangjian import members FILE --org NAME [--member-since DATE|joined] [--dry-run] [--json]`

The roster is booked as the worker books a confirmed one (members.importing.member_import_run),
here in this process under a job of its own: new members written a batch at a time and hidden
until the job commits, changes to members on file staged and applied after, so that on SQLite a
web write waits for one batch, not for the whole roster. A failure or Ctrl-C leaves nothing
visible; what was written is purged.
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from dangjian.jobs.models import Job
from dangjian.jobs.services import job_run_here
from dangjian.lib.tabular import TabularError
from dangjian.members.importing import import_summary, member_import_plan, member_import_run, parse_since
from dangjian.orgs.models import AccessLog, Org
from dangjian.orgs.scoping import log_access


class Command(BaseCommand):
    help = "导入党员名册（.xlsx/.xls/.csv），按身份证号新增或更新"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="导入到的组织（代码或名称）；所在党支部列在其下查找")
        parser.add_argument("--member-since", default="", metavar="DATE|joined",
                            help="表中没有“加入本组织日期”的新增党员从哪天起属于本组织：YYYY-MM-DD（默认今天），"
                                 "或 joined（按各自的入党日期，仅首次导入）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--map", action="append", default=[], metavar="名称=党支部",
                            help="把文件中对应不上的党支部名称指定给某个党支部（可多次使用），如 --map 五支部=第五党支部")

    def handle(self, *args, file, org, dry_run, json: bool, map: list[str], member_since: str = "", **opts):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            target = Org.resolve(org)
            since = parse_since(member_since, today=timezone.localdate())
            unit_map = {}
            for pair in map:
                name, sep, unit = pair.partition("=")
                if not sep or not name.strip():
                    raise ValueError(f"--map 应写成“名称=党支部”，不是“{pair}”")
                unit_map[name.strip()] = Org.resolve(unit.strip(), within=target)
            plan = member_import_plan(path, org=target, filename=path.name, unit_map=unit_map)
        except (ValueError, TabularError) as exc:
            raise CommandError(str(exc)) from exc
        if not dry_run:
            job = job_run_here(kind="member_import", label=f"党员名册导入（命令行）：{target.name}，{path.name}",
                               org=target)
            try:
                member_import_run(plan, job=job, since=since)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
            Job.objects.filter(pk=job.pk).update(finished_at=timezone.now(), message=import_summary(plan)[:2000])
            log_access(None, AccessLog.Action.IMPORT, f"命令行导入党员名册 {target}：{path.name}")
        self._report(plan, dry_run, as_json=json)

    def _report(self, plan, dry_run, *, as_json):
        # Changes to members on file that a clerk's dated change made impossible between the
        # check and the apply (rare): reported, the others stand.
        refused = [{"row": row, "reason": reason} for row, reason in plan.update_failed]
        if as_json:
            self.stdout.write(_json.dumps(plan.as_json() | {"dry_run": dry_run} | ({"update_failed": refused} if refused else {}),
                                          ensure_ascii=False, indent=2))
            return
        verb = "将" if dry_run else "已"
        self.stdout.write(f"{verb}新增 {len(plan.create)} 人，{verb}更新 {len(plan.update) - len(refused)} 人，"
                          f"无变化 {plan.unchanged} 人，拒绝 {len(plan.rejected)} 处")
        for name, (unit, rows) in plan.matched_units.items():
            self.stdout.write(f"  “{name}” → {unit.unit_label}（{len(rows)}行）")
        for name, rows in plan.unmapped.items():
            self.stdout.write(f"  找不到党支部“{name}”（第{'、'.join(map(str, rows))}行），可用 --map {name}=党支部名称 指定")
        for row, note in plan.notes:
            self.stdout.write(f"  第{row}行 {note}")
        for e in plan.rejected:
            self.stdout.write(f"  第{e.row}行 [{e.column}] {e.reason}")
        for e in refused:
            self.stdout.write(f"  第{e['row']}行 未能更新：{e['reason']}")


_json = json
