"""Demo: 和平社区's 2023Q3 duty report, drafted from the demo records; its secretary writes the
parts only she can (the draft's 【请补充：…】 placeholders) and finalises it (so the street view,
the batch download and the next quarter's follow-up have one)."""

from dangjian.lib.periods import Period

from .drafting import PLACEHOLDER, fill
from .services import paragraph_save, placeholders_left, report_draft, report_finalise

DEMO_PERIOD = Period("quarter", 2023, 3)

# The secretary's own words for what the records cannot say, by the placeholder's opening words.
SECRETARY_WORDS = {
    "本人参加上级组织的学习": "本季度本人按时参加街道党工委组织的理论学习，并把学习内容带回社区，在党员干部会上作了传达。",
    "本人抓班子、带队伍": "本人每月召集各支部书记碰头一次，对照支部建设标准逐项查找差距，督促各支部按计划开展活动。",
    "本人遵守政治纪律": "本人严格执行中央八项规定及其实施细则精神，按规定报告个人有关事项，接受党员群众监督。",
    "对未达标支部采取的督促措施": "，本人已约谈相关支部书记，要求在下季度补齐",
    "对这些党员谈话提醒": "，已由所在支部书记逐一联系了解情况",
    "提醒补交的情况": "，已由支部委员逐一电话提醒",
}


def secretary_text(text: str) -> str | None:
    """The text with each placeholder replaced by the secretary's words, or None if one has none."""
    missing = False

    def words(match) -> str:
        nonlocal missing
        for start, said in SECRETARY_WORDS.items():
            if match.group(1).startswith(start):
                return said
        missing = True
        return match.group(0)

    out = PLACEHOLDER.sub(words, text)
    return None if missing else out


def seed(ctx) -> None:
    detailed = next((c for c in ctx.communities if c.detailed), None)
    secretary = ctx.users.get("shuji")
    if detailed is None or secretary is None:
        return
    org = detailed.org
    report = report_draft(org=org, period=DEMO_PERIOD, reporter_name=org.secretary or secretary.get_full_name(),
                          reporter_title=f"{org.name}书记", reporter=secretary, user=secretary)
    version = report.current_version()
    figures = version.figures.get("figures", {})
    for item in placeholders_left(version):
        p = item["paragraph"]
        p.refresh_from_db()
        text = secretary_text(fill(p.source, figures))
        if text is not None and text != fill(p.source, figures):
            paragraph_save(paragraph=p, text=text, user=secretary)
    if not placeholders_left(version):
        report_finalise(report=report, user=secretary)
