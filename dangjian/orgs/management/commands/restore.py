"""`dangjian restore FILE` into an empty data folder; `dangjian restore --check FILE` verifies."""

import json as _json

from django.core.management import BaseCommand, CommandError, call_command

from dangjian.lib.backup import KEY_NOTE, BackupError, check_backup, restore_from


class Command(BaseCommand):
    help = "从备份恢复到空的数据目录（或空数据库）；--check 只检查备份是否完整可用，不恢复"

    def add_arguments(self, parser):
        parser.add_argument("file", help="dangjian backup 生成的备份文件")
        parser.add_argument("--check", action="store_true", help="只检查，不恢复")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, file, check, json, **opts):
        try:
            found = check_backup(file) if check else restore_from(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not check:
            call_command("migrate", verbosity=0)  # a backup from an older version catches up
        rows = sum(found.tables.values())
        if json:
            self.stdout.write(_json.dumps({"kind": found.kind, "tables": found.tables, "rows": rows,
                                           "key_works": found.key_works, "restored": not check}, ensure_ascii=False))
            return
        verb = "备份完整可用" if check else "已恢复"
        self.stdout.write(f"{verb}：{found.kind}，{len(found.tables)} 张表" + (f"，共 {rows:,} 行" if rows else ""))
        if found.key_works is False:
            self.stderr.write("当前的个人信息密钥无法解密这份备份中的身份证号：请把 DANGJIAN_PII_KEY 设为备份时使用的密钥。")
        elif found.key_works:
            self.stdout.write("当前的个人信息密钥可以解密备份中的身份证号。")
        self.stdout.write(KEY_NOTE)
