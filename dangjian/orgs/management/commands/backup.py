"""`dangjian backup -o FILE`: a consistent backup while the server runs (never the PII key)."""

import json as _json

from django.core.management import BaseCommand, CommandError

from dangjian.lib.backup import KEEP_DAILY, KEY_NOTE, BackupError, backup_to, daily_backup


class Command(BaseCommand):
    help = "备份数据库（运行中也可备份，数据一致；SQLite 用在线备份，PostgreSQL 用 pg_dump）。备份不含个人信息密钥"

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("-o", "--output", help="备份文件路径")
        target.add_argument("--daily", action="store_true",
                            help="写入每日备份目录（DANGJIAN_BACKUP_DIR，默认为数据目录下的 backups），只保留最近的若干份")
        parser.add_argument("--keep", type=int, default=KEEP_DAILY, help=f"--daily 时保留的份数（默认 {KEEP_DAILY}）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, output, daily, keep, json: bool, **opts):
        try:
            path = daily_backup(keep=keep) if daily else backup_to(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if json:
            self.stdout.write(_json.dumps({"file": str(path), "bytes": path.stat().st_size}, ensure_ascii=False))
        else:
            self.stdout.write(f"已备份到 {path}（{path.stat().st_size:,} 字节）")
            self.stdout.write(KEY_NOTE)



