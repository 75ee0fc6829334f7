"""The street's batch work on its communities' reports for a period: drafting those not drafted,
finalising the drafts the secretaries have completed (one task a community, so that several
workers share them), and the download of every finalised report in one .zip.

Built by background workers (reports/tasks.py); the page polls the ReportBatch row for progress. The files go to DATA_DIR/exports, never the repo.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import may_sign

from . import pdf
from .drafting import PLACEHOLDER_OPEN
from .models import Report, ReportBatch, ReportParagraph, ReportVersion
from .rendering import cn_date

log = logging.getLogger(__name__)


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def community_status(org: Org, period: Period, *, with_content: bool = True) -> list[dict]:
    """Each community under org: its report for the period and whether it is finalised.
    `with_content=False` leaves each version's figures and file unread (a status table needs neither)."""
    communities = list(Org.objects.subtree_of(org).communities().active_on(period.last_day).order_by("sort", "path"))
    if org.is_community and org not in communities:
        communities.insert(0, org)
    reports = {r.org_id: r for r in Report.objects.filter(org__in=communities, period=str(period))}
    versions: dict[int, list[ReportVersion]] = {}
    found = ReportVersion.objects.filter(report__in=reports.values()).order_by("number")
    for v in (found if with_content else found.defer("figures", "docx")):
        versions.setdefault(v.report_id, []).append(v)
    rows = []
    for c in communities:
        report = reports.get(c.pk)
        if report is not None:
            report.org = c  # already loaded: no query per community
        vs = versions.get(report.pk, []) if report else []
        final = next((v for v in reversed(vs) if v.is_final), None)
        rows.append({"org": c, "report": report, "current": vs[-1] if vs else None, "final": final})
    return rows


def street_draft_start(*, org: Org, period: Period, user) -> list:
    """Queue a draft for every community under org that has no report for the period."""
    from dangjian.jobs.services import job_enqueue

    from .tasks import report_draft_one

    rows = [r for r in community_status(org, period) if r["report"] is None]
    return [job_enqueue(report_draft_one, kind="report_draft", label=f"起草{row['org'].name}{period.label}述职报告",
                        org=row["org"], user=user, org_id=row["org"].pk, period=str(period), user_id=user.pk)
            for row in rows]


def finalisable(rows: list[dict]) -> list[dict]:
    """The communities whose current version is a draft with no 【请补充：…】 left."""
    drafts = {r["current"].pk: r for r in rows if r["current"] is not None and r["current"].is_draft}
    waiting = set(ReportParagraph.objects.filter(version__in=drafts, is_edited=False, generated__contains=PLACEHOLDER_OPEN)
                  .values_list("version_id", flat=True))
    waiting |= set(ReportParagraph.objects.filter(version__in=drafts, is_edited=True, edited__contains=PLACEHOLDER_OPEN)
                   .values_list("version_id", flat=True))
    return [r for pk, r in drafts.items() if pk not in waiting]


def street_finalise_start(*, org: Org, period: Period, user) -> list:
    """Queue the finalising of every community draft under org that has nothing left to write."""
    from dangjian.jobs.services import job_enqueue

    from .tasks import report_finalise_one

    return [job_enqueue(report_finalise_one, kind="report_finalise", label=f"定稿{row['report']}", org=row["org"],
                        user=user, report_id=row["report"].pk, user_id=user.pk)
            for row in finalisable(community_status(org, period)) if may_sign(user, row["org"])]


def filename_for(report: Report, ext: str) -> str:
    return f"{report.org.display_name}{report.period_obj.label}述职报告.{ext}"


def batch_run(batch_id: int, on_progress=None) -> None:
    """Build the zip for one batch row, updating its progress as each report is added."""
    batch = ReportBatch.objects.select_related("org").get(pk=batch_id)
    try:
        period = Period.parse(batch.period)
        rows = community_status(batch.org, period)
        finals = [r for r in rows if r["final"]]
        ReportBatch.objects.filter(pk=batch.pk).update(status=ReportBatch.Status.RUNNING, total=len(finals))
        buf = io.BytesIO()
        problems: list[str] = []
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, row in enumerate(finals, start=1):
                report, version = row["report"], row["final"]
                data = bytes(version.docx)
                zf.writestr(filename_for(report, "docx"), data)
                if batch.with_pdf:
                    try:
                        zf.writestr(filename_for(report, "pdf"), pdf.docx_to_pdf(data))
                    except pdf.ConversionError as exc:
                        problems.append(f"{report.org.display_name}：{exc}")
                ReportBatch.objects.filter(pk=batch.pk).update(done=i)
                if on_progress:
                    on_progress(i, len(finals))
            listing = [f"{batch.org.name} {period.label} 述职报告定稿情况", ""]
            for row in rows:
                final = row["final"]
                state = (f"已定稿（第{final.number}版，{cn_date(timezone.localtime(final.finalised_at).date())}）"
                         if final else ("草稿未定稿" if row["report"] else "未起草"))
                listing.append(f"{row['org'].name}\t{state}")
            if problems:
                listing += ["", "PDF 未能生成："] + problems
            zf.writestr("清单.txt", "\r\n".join(listing) + "\r\n")
        name = f"batch-{batch.pk}.zip"
        (export_dir() / name).write_bytes(buf.getvalue())
        ReportBatch.objects.filter(pk=batch.pk).update(
            status=ReportBatch.Status.DONE, filename=name, finished_at=timezone.now(),
            message=f"共 {len(finals)} 份已定稿报告" + (f"；{len(problems)} 份 PDF 未生成" if problems else ""))
    except Exception as exc:  # the page must learn that the batch failed, whatever the cause
        log.exception("report batch %s failed", batch_id)
        ReportBatch.objects.filter(pk=batch.pk).update(status=ReportBatch.Status.FAILED, message=str(exc)[:500],
                                                       finished_at=timezone.now())


def batch_start(*, org: Org, period: Period, user, with_pdf: bool = False, run=None) -> ReportBatch:
    """Record the batch and queue it for a worker (`run`, when given, is called instead once the
    row is committed — tests that build the zip themselves)."""
    batch = ReportBatch.objects.create(org=org, period=str(period), with_pdf=with_pdf, requested_by=user)
    if run is not None:
        transaction.on_commit(lambda: run(batch.pk))
        return batch
    from dangjian.jobs.services import job_enqueue

    from .tasks import report_batch

    batch.job = job_enqueue(report_batch, kind="report_batch", label=f"{org.name}{period.label}述职报告批量下载", org=org, user=user,
                            batch_id=batch.pk)
    batch.save(update_fields=["job"])
    return batch


def batch_refresh(batch: ReportBatch) -> ReportBatch:
    """A batch whose worker died mid-way is shown failed with the reason."""
    from dangjian.jobs.lease import check_job

    if batch.status in (ReportBatch.Status.PENDING, ReportBatch.Status.RUNNING) and batch.job_id:
        job = check_job(batch.job)
        if job.status == "failed":
            ReportBatch.objects.filter(pk=batch.pk).update(status=ReportBatch.Status.FAILED, message=job.message[:500],
                                                           finished_at=job.finished_at)
            batch.refresh_from_db()
    return batch
