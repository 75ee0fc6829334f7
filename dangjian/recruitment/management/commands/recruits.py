"""`dangjian recruits --org NAME [--json] [--date YYYY-MM-DD]`: each person in the recruitment
pipeline with stage, next step, its due date and whether it is overdue — the board's figures."""

import json
from datetime import date

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from dangjian.orgs.models import Org
from dangjian.recruitment.board import board_for


def rows(board) -> list[dict]:
    out = []
    for t in board.tracks:
        a, due = t.applicant, t.next_due
        out.append({
            "name": a.name, "org": a.org.name, "stage": a.stage, "stage_label": a.get_stage_display(),
            "next_step": f"{t.next_step.number}. {t.next_step.label}" if t.next_step else "",
            "due": due.label if due else "", "due_on": due.due_on.isoformat() if due else None,
            "overdue": bool(t.overdue), "overdue_items": [d.label for d in t.overdue],
            "earliest": t.earliest.isoformat() if t.earliest else None,
        })
    return out


class Command(BaseCommand):
    help = "发展党员工作台账：每人所处阶段、下一步、到期日、是否逾期"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织（代码或名称）")
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, org, **opts):
        try:
            target = Org.resolve(org)
            today = timezone.localdate()
            on = date.fromisoformat(opts["date"]) if opts["date"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        board = board_for(target, today, on=on)
        people = rows(board)
        if opts["json"]:
            self.stdout.write(json.dumps({"org": target.name, "date": board.today.isoformat(), "people": people,
                                         "untracked_probationers": [m.name for m in board.untracked]},
                                        ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{target.name} 发展党员（{board.today:%Y-%m-%d}）：共{len(people)}人，逾期{len(board.overdue)}人")
        for p in people:
            flag = "【逾期】" if p["overdue"] else ""
            due = f"{p['due']} {p['due_on']}" if p["due_on"] else ""
            self.stdout.write(f"{flag}{p['name']}\t{p['org']}\t{p['stage_label']}\t下一步：{p['next_step']}\t{due}")
