"""`dangjian remind`: make today's reminders (for cron or Windows Task Scheduler, once a day).

Idempotent: running it twice the same day creates nothing new.
"""

import json
from datetime import date

from django.core.management import BaseCommand, CommandError

from dangjian.plans.reminders import remind_days, run


class Command(BaseCommand):
    help = "生成到期提醒：N 个工作日内到期或已逾期的计划节点、计划事项、整改措施等（每天运行一次即可，重复运行不会重复提醒）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--days", type=int, help=f"提前几个工作日提醒，默认 {remind_days()}（设置 DANGJIAN_REMIND_DAYS）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):
        try:
            today = date.fromisoformat(opts["date"]) if opts["date"] else None
        except ValueError as exc:
            raise CommandError(f"日期格式不对：“{opts['date']}”，应为 YYYY-MM-DD") from exc
        if opts["days"] is not None and opts["days"] < 0:
            raise CommandError("--days 不能为负数")
        result = run(today=today, days=opts["days"])
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        self.stdout.write(
            f"{result.today:%Y-%m-%d}：{result.days} 个工作日内（至 {result.horizon:%Y-%m-%d}）到期或已逾期 {result.due} 项，"
            f"涉及 {result.users} 个账号；新增提醒 {result.created} 条，已处理 {result.resolved} 条。")
        if not result.calendar_known:
            self.stdout.write(f"注意：{result.horizon.year}年调休安排尚未公布，期限按法定节假日推算（预计）；公布后请在“节假日安排”页面录入。")
