"""Duty report: one report's generation time, and a 20-community batch (draft + finalise every
community's 2023Q3 report, then build the street's .zip), medians of several runs.

Also the report pages' server time and query count at 1 and 20 communities: drafting reads each
app's figures.for_period, so the count must not grow with the street's size. The draft page (with
its 自检 panel: placeholders left, relations between figures) and the per-paragraph JSON are
measured on a draft of the next quarter.
Then the street's batch end to end through the task queue: `dangjian worker --processes N` started
as real processes, every community's draft queued (one task a community), the secretaries'
placeholders written, every completed draft's finalising queued; wall time of each step.
Run: python bench/reports.py [--runs 5] [--pdf] [--workers 2]
     python bench/reports.py --queue-only [--workers 2] [--street 新华街道党工委] [--period 2023Q2]
       (the database as it is, DATABASE_URL or DANGJIAN_DATA_DIR: nothing rebuilt; the reports it
       drafts are deleted afterwards unless --keep)
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

from _harness import client_for, fresh_database, measure, setup_django, table


def timed(fn, runs: int) -> tuple[float, int]:
    """Median wall time (ms) of fn() over runs, and the queries of one more run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn()
    return statistics.median(times), len(queries)


def scale(n: int, args, rows: list) -> dict:
    """Build the demo with n communities, time the report steps into rows, return page measurements."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from dangjian.lib.periods import Period
    from dangjian.orgs.models import Org
    from dangjian.reports import pdf
    from dangjian.reports.batch import batch_run, batch_start
    from dangjian.reports.drafting import PLACEHOLDER, fill
    from dangjian.reports.models import Report
    from dangjian.reports.rendering import render_docx
    from dangjian.reports.services import (
        build_document,
        compose,
        paragraph_save,
        placeholders_left,
        report_draft,
        report_finalise,
        version_docx,
    )

    period = Period.parse("2023Q3")
    built = fresh_database(n)
    org = Org.objects.get(name="和平社区党总支")
    street = Org.objects.get(name="新华街道党工委")
    shuji = get_user_model().objects.get(username="shuji")
    jiedao = get_user_model().objects.get(username="jiedao")
    print(f"{n} 个社区：演示数据生成 {built:.1f}s")

    def one_report():
        d = compose(org, period)
        doc = build_document(title=d.title, items=[(p.style, p.text) for p in d.paragraphs], snapshot=d.snapshot,
                             signer="和平社区党总支书记\u3000杨雪", dated=d.dated_on)
        return render_docx(doc)

    t, q = timed(lambda: compose(org, period), args.runs)
    rows.append((f"读数+起草（和平社区）@{n}", f"{t:.0f}", q))
    t, q = timed(one_report, args.runs)
    rows.append((f"读数+起草+.docx（和平社区）@{n}", f"{t:.0f}", q))
    report = Report.objects.get(org=org, period=str(period))
    draft = report_draft(org=org, period=period.next(), reporter_name="书记", user=shuji)
    pages = {
        "报告页（定稿）": measure(client_for("shuji"), f"/reports/{report.pk}/", 5),
        "报告页（草稿）": measure(client_for("shuji"), f"/reports/{draft.pk}/", 5),
        "自检+记录变化（htmx）": measure(client_for("shuji"), f"/reports/{draft.pk}/check/", 5),
        "段落来源 JSON": measure(client_for("shuji"), f"/reports/{draft.pk}/download/json/", 5),
        "街道汇总": measure(client_for("jiedao"), f"/reports/street/?period={period}", 5),
        "报告列表": measure(client_for("jiedao"), "/reports/", 5),
    }
    if args.pdf and pdf.available():
        data = version_docx(report.final_version())
        t, _ = timed(lambda: pdf.docx_to_pdf(data), max(1, args.runs // 2))
        rows.append((f"LibreOffice 转 PDF @{n}", f"{t:.0f}", 0))
    if n == 1:
        return pages
    communities = list(Org.objects.communities().exclude(pk=org.pk).order_by("sort"))

    def written(r):
        """The secretary writes what only she can (the placeholders), as before finalising."""
        version = r.current_version()
        for p in {i["paragraph"].pk: i["paragraph"] for i in placeholders_left(version)}.values():
            paragraph_save(paragraph=p, text=PLACEHOLDER.sub("本人已落实。", fill(p.source, version.figures["figures"])),
                           user=shuji)
        return r

    def draft_and_finalise_all():
        with transaction.atomic():
            for c in communities:
                r = report_draft(org=c, period=period, reporter_name=c.secretary or "书记", user=shuji)
                report_finalise(report=written(r), user=jiedao)
            transaction.set_rollback(True)

    t, q = timed(draft_and_finalise_all, max(1, args.runs // 2))
    rows.append((f"批量：{len(communities)} 个社区起草+定稿", f"{t:.0f}", q))
    for c in communities:  # keep one set for the zip
        report_finalise(report=written(report_draft(org=c, period=period, reporter_name="书记", user=shuji)), user=jiedao)

    def zip_all():
        batch = batch_start(org=street, period=period, user=jiedao, run=lambda pk: None)
        batch_run(batch.pk)

    t, q = timed(zip_all, args.runs)
    rows.append((f"批量：{len(communities) + 1} 份定稿打包 .zip", f"{t:.0f}", q))
    return pages


def _wait(job_ids: list[int], timeout: float) -> list[str]:
    """Until every job has finished; the failures' messages."""
    from dangjian.jobs.models import Job

    deadline = time.monotonic() + timeout
    while Job.objects.filter(pk__in=job_ids).unfinished().exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"任务未在 {timeout:.0f}s 内完成")
        time.sleep(0.05)
    return [f"{j.label}：{j.message}" for j in Job.objects.filter(pk__in=job_ids, status="failed")]


def through_queue(workers: int, street_name: str, period_text: str, keep: bool) -> list[tuple]:
    """Draft and finalise every community's report of the street through the task queue, with
    `workers` worker processes (`dangjian worker --processes N`); rows of (step, seconds, count)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dangjian.jobs.models import WorkerProcess
    from dangjian.lib.periods import Period
    from dangjian.orgs.models import Org
    from dangjian.reports.batch import community_status, street_draft_start, street_finalise_start
    from dangjian.reports.drafting import PLACEHOLDER, fill
    from dangjian.reports.models import Report
    from dangjian.reports.services import paragraph_save, placeholders_left

    period = Period.parse(period_text)
    street = Org.objects.get(name=street_name)
    jiedao = get_user_model().objects.get(username="jiedao")
    started_at = timezone.now()
    argv = [sys.executable, "-m", "dangjian.cli", "worker", "--processes", str(workers), "-v", "0"]
    children = subprocess.Popen(argv, env=os.environ.copy(), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while WorkerProcess.objects.filter(started_at__gte=started_at, stopped_at__isnull=True).count() < workers:
            if time.monotonic() > deadline or children.poll() is not None:
                raise SystemExit("后台进程未能启动")
            time.sleep(0.1)
        t0 = time.perf_counter()
        drafts = street_draft_start(org=street, period=period, user=jiedao)
        failed = _wait([j.pk for j in drafts], 600)
        t1 = time.perf_counter()
        rows = [r for r in community_status(street, period) if r["current"] is not None and r["current"].is_draft]
        for row in rows:  # what only each secretary can write, as she would before finalising
            version = row["current"]
            for p in {i["paragraph"].pk: i["paragraph"] for i in placeholders_left(version)}.values():
                paragraph_save(paragraph=p, text=PLACEHOLDER.sub("本人已落实。", fill(p.source, version.figures["figures"])),
                               user=jiedao)
        t2 = time.perf_counter()
        finals = street_finalise_start(org=street, period=period, user=jiedao)
        failed += _wait([j.pk for j in finals], 600)
        t3 = time.perf_counter()
    finally:
        children.send_signal(signal.SIGTERM)
        children.wait(timeout=60)
    for message in failed:
        print("失败：", message)
    if not keep:
        from dangjian.jobs.models import Job

        made = [r.get("report") for r in Job.objects.filter(pk__in=[j.pk for j in drafts]).values_list("result", flat=True)]
        Report.objects.filter(pk__in=made, created_at__gte=started_at).delete()
    label = f"{street.name} {period.label}，{workers} 个后台进程"
    return [(f"队列：起草 {len(drafts)} 个社区（{label}）", f"{t1 - t0:.1f}", len(drafts)),
            (f"书记补充“请补充”内容（{len(rows)} 份，本进程）", f"{t2 - t1:.1f}", len(rows)),
            (f"队列：定稿 {len(finals)} 份（{label}）", f"{t3 - t2:.1f}", len(finals)),
            ("队列：起草+补充+定稿，总计", f"{t3 - t0:.1f}", len(finals))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf", action="store_true", help="也测 LibreOffice 转 PDF")
    parser.add_argument("--workers", type=int, default=2, help="队列批量时启动的后台进程数")
    parser.add_argument("--queue-only", action="store_true", help="只测队列批量，用现有数据库（不重建）")
    parser.add_argument("--street", default="新华街道党工委")
    parser.add_argument("--period", default="2023Q2", help="队列批量的期间（默认 2023Q2：演示数据中各社区均未起草）")
    parser.add_argument("--keep", action="store_true", help="保留队列批量起草的报告")
    args = parser.parse_args()
    if args.queue_only:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
        django.setup()
        print(table(through_queue(args.workers, args.street, args.period, args.keep), ("step", "wall s", "n")))
        return
    setup_django("reports")
    rows, pages = [], {}
    for n in (1, 20):
        pages[n] = scale(n, args, rows)
    print()
    print(table(rows, ("step", "median ms", "queries")))
    print()
    page_rows = []
    for label in pages[1]:
        (t1, q1), (t20, q20) = pages[1][label], pages[20][label]
        page_rows.append((label, f"{t1:.1f}", q1, f"{t20:.1f}", q20, "same" if q1 == q20 else "GROWS"))
    print(table(page_rows, ("page", "ms@1", "queries@1", "ms@20", "queries@20", "query count")))
    print()
    print(table(through_queue(args.workers, args.street, args.period, args.keep), ("step", "wall s", "n")))


if __name__ == "__main__":
    main()
