"""`dangjian demo`: migrate, load the demo street when the database is empty, print logins, serve."""

import time

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

from dangjian.demo import DEMO_PASSWORD, build
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "准备演示数据（和平社区）并在本机启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认仅本机 127.0.0.1；局域网使用填 0.0.0.0）")
        parser.add_argument("--communities", type=int, default=1,
                            help="每个街道的社区数量（第一个街道的第一个为和平社区，其余为生成的社区）")
        parser.add_argument("--streets", type=int, default=1,
                            help="街道数量（默认 1；大于 1 时生成一个区，下设这些街道，如 --streets 20 --communities 20）")
        parser.add_argument("--residents-per-community", type=int, default=None,
                            help="每个生成社区的居民人数（默认：单个街道时为小样本，区时为 2500）")
        parser.add_argument("--seed", type=int, default=2023, help="随机种子（同一种子生成相同的演示数据）")
        parser.add_argument("--threads", type=int, default=8, help="服务线程数")

    def handle(self, *args, **opts):
        db = settings.DATABASES["default"]["NAME"]
        self.stdout.write(f"数据目录：{settings.DATA_DIR}\n数据库：{db}")
        call_command("migrate", interactive=False, verbosity=0)
        if Org.objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据生成（删除数据目录可重新生成）。")
            logins = None
        else:
            started = time.monotonic()
            streets, communities = opts["streets"], opts["communities"]
            if streets < 1 or communities < 1:
                raise CommandError("--streets 和 --communities 至少为 1")
            where = f"{streets} 个街道、每个街道 {communities} 个社区" if streets > 1 else f"{communities} 个社区"
            self.stdout.write(f"正在生成演示数据（{where}，随机种子 {opts['seed']}）……")
            with transaction.atomic():
                ctx = build(seed=opts["seed"], communities=communities, streets=streets,
                            residents_per_community=opts["residents_per_community"], log=self._progress(started))
            logins = ctx.logins
            self._analyze()
            self.stdout.write(f"演示数据已生成，用时 {time.monotonic() - started:.1f} 秒。")
            if streets > 1:
                self._print_counts()
        self._print_logins(logins)
        if opts["no_serve"]:
            return
        call_command("serve", host=opts["host"], port=opts["port"], threads=opts["threads"])

    def _analyze(self) -> None:
        """Fresh statistics for PostgreSQL's planner: rows written in bulk are not yet known to it
        (autovacuum analyzes them only later), and a plan made on empty tables reads a district's
        tables row by row."""
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _progress(self, started: float):
        """Each step's line, with the seconds since the build began (a district takes minutes)."""
        def log(text: str) -> None:
            self.stdout.write(f"{text}（{time.monotonic() - started:.0f} 秒）")
            self.stdout.flush()
        return log

    def _print_counts(self) -> None:
        from dangjian.demo import counts

        self.stdout.write("数据量：" + "，".join(f"{label} {n:,}" for label, n in counts()))

    def _print_logins(self, logins):
        from django.contrib.auth import get_user_model

        if logins is None:
            users = get_user_model().objects.filter(is_active=True).prefetch_related("roles__org").order_by("pk")[:20]
            logins = [(u.username, "、".join(r.get_role_display() for r in u.roles.all()) or ("系统管理员" if u.is_superuser else ""),
                       "、".join(r.org.name for r in u.roles.all())) for u in users]
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, org in logins:
            self.stdout.write(f"  {username:<10} {role:<8} {org}")
