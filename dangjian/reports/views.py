import difflib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.jobs.models import Job
from dangjian.lib.periods import Period
from dangjian.lib.web import DOCX, error_text, file_response, is_htmx
from dangjian.orgs.models import ABOVE_COMMUNITY_KINDS, OrgKind
from dangjian.orgs.scoping import (
    get_org_for_user,
    get_visible_or_404,
    may_keep_records,
    may_sign,
    org_and_period,
    require_record_keeper,
    top_orgs,
    visible_orgs,
)

from . import batch as batch_mod
from . import pdf, selfcheck, services, sources
from .drafting import MARKER, PLACEHOLDER, fill
from .forms import REPORT_ORG_KINDS, BatchForm, DraftForm, MetaForm, ParagraphForm, ProtectForm
from .models import Report, ReportBatch, ReportParagraph, ReportVersion
from .protection import protect_docx


def _version(request, report: Report) -> ReportVersion:
    versions = report.versions.all()
    if request.GET.get("v"):
        try:
            return versions.get(number=int(request.GET["v"]))
        except (ReportVersion.DoesNotExist, ValueError) as exc:
            raise Http404("没有这个版本") from exc
    return report.current_version()


def _default_period() -> Period:
    return Period.of(timezone.localdate(), "quarter").previous()


# --- list and draft -------------------------------------------------------------------------------

@login_required
def report_list(request):
    require_record_keeper(request.user)
    reports = Report.objects.visible_to(request.user).select_related("org").prefetch_related("versions")
    period_text = request.GET.get("period", "").strip()
    if period_text:
        try:
            reports = reports.for_period(Period.parse(period_text))
        except ValueError:
            messages.error(request, f"无法识别的期间：“{period_text}”")
    user = request.user
    initial = {"period": str(_default_period()), "reporter_name": user.get_full_name() or user.username}
    own = [o for o in top_orgs(user) if o.kind in REPORT_ORG_KINDS]
    if len(own) == 1:
        initial["org"] = own[0].pk
    form = DraftForm(user=user, initial=initial)
    rows = []
    for r in reports:
        versions = sorted(r.versions.all(), key=lambda v: v.number)
        rows.append({"report": r, "current": versions[-1] if versions else None,
                     "final": next((v for v in reversed(versions) if v.is_final), None)})
    return render(request, "reports/list.html", {
        "rows": rows, "form": form, "period_text": period_text,
        "default_period": _default_period(),
        # The street overview lists communities: only for those whose scope holds some.
        "sees_communities": any(o.kind in ABOVE_COMMUNITY_KINDS for o in top_orgs(user)),
    })


@login_required
@require_POST
def report_create(request):
    require_record_keeper(request.user)
    form = DraftForm(request.POST, user=request.user)
    if form.is_valid():
        org, period = form.cleaned_data["org"], form.cleaned_data["period"]
        existing = Report.objects.filter(org=org, period=str(period)).first()
        if existing is not None:
            messages.info(request, f"{existing}已存在，已为您打开")
            return redirect("report_detail", pk=existing.pk)
        try:
            report = services.report_draft(
                org=org, period=period, reporter_name=form.cleaned_data["reporter_name"],
                reporter_title=form.cleaned_data["reporter_title"] or services.default_reporter_title(org),
                reporter=request.user, user=request.user)
        except ValidationError as exc:
            messages.error(request, f"起草失败：{error_text(exc)}")
            return redirect("report_list")
        except IntegrityError as exc:
            messages.error(request, f"起草失败：{exc}")
            return redirect("report_list")
        messages.success(request, f"已根据记录起草{report}")
        return redirect("report_detail", pk=report.pk)
    messages.error(request, error_text(form))
    return redirect("report_list")


# --- the draft on screen --------------------------------------------------------------------------

def _text_and_asks(text: str) -> list[dict]:
    """Plain text in parts, each 【请补充：…】 placeholder a part of its own (highlighted)."""
    parts, last = [], 0
    for m in PLACEHOLDER.finditer(text):
        parts += [{"text": text[last:m.start()]}, {"ask": m.group(0)}]
        last = m.end()
    return [*parts, {"text": text[last:]}]


def text_parts(text: str, figures: dict) -> list[dict]:
    """Paragraph text in parts (`text_html` joins them): plain text, placeholders, and each figure
    with the link to the records behind it (or missing)."""
    parts, last = [], 0
    for m in MARKER.finditer(text):
        parts += _text_and_asks(text[last:m.start()])
        f = figures.get(m.group(1))
        if f is None:
            parts.append({"missing": True})
        else:
            value = sources.plain(f["value"])
            parts.append({"key": m.group(1), "value": value, "href": f.get("link") or "",
                          "title": f"{f['label']}：{value}{f.get('unit', '')}（{f.get('source', '')}）"})
        last = m.end()
    parts += _text_and_asks(text[last:])
    return parts


def text_html(parts: list[dict]) -> str:
    """The parts as the page shows them: a figure links to its records, a placeholder is marked.
    Built here rather than by a template loop: a draft has some fifty paragraphs of many parts."""
    out = []
    for part in parts:
        if part.get("missing"):
            out.append(format_html('<span class="text-danger">{}</span>', _("（数据缺失）")))
        elif part.get("key"):
            if part["href"]:
                out.append(format_html('<a class="dj-fig" href="{}" title="{}" data-key="{}">{}</a>',
                                       part["href"], part["title"], part["key"], part["value"]))
            else:
                out.append(format_html('<span class="dj-fig" title="{}">{}</span>', part["title"], part["value"]))
        elif part.get("ask"):
            out.append(format_html('<mark class="dj-ask" data-testid="placeholder">{}</mark>', part["ask"]))
        else:
            out.append(conditional_escape(part["text"]))
    return mark_safe("".join(out))  # noqa: S308 — every piece above is escaped


def _paragraph_context(p: ReportParagraph, version: ReportVersion, can_edit: bool, previous_figures: dict | None = None) -> dict:
    figures = version.figures.get("figures", {})
    changed = []
    if p.is_edited and previous_figures is not None:
        for key in dict.fromkeys(MARKER.findall(p.edited)):
            old, new = previous_figures.get(key), figures.get(key)
            if old and new and old["value"] != new["value"]:
                changed.append(f"{new['label']} {sources.plain(old['value'])}→{sources.plain(new['value'])}")
    linked = len(MARKER.findall(p.source))
    return {"p": p, "html": text_html(text_parts(p.source, figures)), "can_edit": can_edit and version.is_draft,
            "changed": changed, "linked": linked, "generated_figures": len(MARKER.findall(p.generated))}


def _previous_version_figures(version: ReportVersion) -> dict | None:
    prev = version.report.versions.filter(number=version.number - 1).first()
    return prev.figures.get("figures", {}) if prev else None


@login_required
def report_detail(request, pk):
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    version = _version(request, report)
    can_edit = may_keep_records(request.user)
    prev_figures = _previous_version_figures(version)
    rows = list(version.paragraphs.all())
    paragraphs = [_paragraph_context(p, version, can_edit, prev_figures) for p in rows]
    figures = version.figures.get("figures", {})
    used = set(MARKER.findall("".join(p.source for p in rows)))
    apps = version.figures.get("apps", {})
    return render(request, "reports/detail.html", {
        "report": report, "version": version, "versions": list(report.versions.defer("docx", "figures").order_by("-number")),
        "paragraphs": paragraphs, "figures": [{"key": k, **f, "used": k in used, "shown": sources.plain(f["value"])}
                                              for k, f in figures.items()],
        "apps": apps, "missing_apps": [a["label"] for a in apps.values() if not a["installed"]],
        "can_edit": can_edit and version.is_draft, "can_sign": may_sign(request.user, report.org),
        "pdf_available": pdf.available(), "substitutions": pdf.font_substitutions() if pdf.available() else {},
        "meta_form": MetaForm(initial={"title": version.title, "dated_on": version.dated_on}),
        "protect_form": ProtectForm(), "edited_count": sum(1 for p in paragraphs if p["p"].is_edited),
        "previous": version.figures.get("previous"),
        # No figure is computed for the page: what needs the records now comes from report_check.
        "check": selfcheck.page_check(version, rows) if version.is_draft else None,
    })


@login_required
def report_check(request, pk):
    """htmx: the 自检 against the records as they stand now — the relations between the period's
    figures that do not hold, and the figures that changed since the draft (one reading of them)."""
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    version = _version(request, report)
    if not version.is_draft:
        raise Http404("只有草稿需要自检")
    return render(request, "reports/_check.html", {"report": report, "version": version,
                                                   "check": selfcheck.live(version)})


@login_required
def report_stale(request, pk):
    """htmx: which figures of this draft differ from the records now (so the user may regenerate)."""
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    version = _version(request, report)
    changes = []
    if version.is_draft:
        changes = selfcheck.stale_changes(version, sources.collect(report.org, report.period_obj))
    return render(request, "reports/_stale.html", {"changes": changes, "version": version, "report": report})


@login_required
def paragraph_edit(request, pk):
    require_record_keeper(request.user)
    p = get_visible_or_404(ReportParagraph.objects.select_related("version", "version__report"), request, pk)
    version = p.version
    figures = version.figures.get("figures", {})
    if request.method == "POST":
        form = ParagraphForm(request.POST)
        if form.is_valid():
            try:
                p = services.paragraph_save(paragraph=p, text=form.cleaned_data["text"], user=request.user)
            except ValidationError as exc:
                form.add_error("text", error_text(exc))
            else:
                if not is_htmx(request):
                    return redirect(reverse("report_detail", args=[version.report_id]) + f"#p{p.pk}")
                return render(request, "reports/_paragraph.html",
                              _paragraph_context(p, version, True, _previous_version_figures(version)))
    else:
        if not version.is_draft:
            raise PermissionDenied("该版本已定稿，不能修改")
        form = ParagraphForm(initial={"text": fill(p.source, figures)})
    return render(request, "reports/_paragraph_form.html", {"p": p, "form": form})


@login_required
def paragraph_show(request, pk):
    require_record_keeper(request.user)
    p = get_visible_or_404(ReportParagraph.objects.select_related("version", "version__report"), request, pk)
    return render(request, "reports/_paragraph.html",
                  _paragraph_context(p, p.version, True, _previous_version_figures(p.version)))


@login_required
@require_POST
def paragraph_reset(request, pk):
    require_record_keeper(request.user)
    p = get_visible_or_404(ReportParagraph.objects.select_related("version", "version__report"), request, pk)
    try:
        p = services.paragraph_reset(paragraph=p, user=request.user)
    except ValidationError as exc:
        raise PermissionDenied(error_text(exc)) from exc
    if not is_htmx(request):
        return redirect("report_detail", pk=p.version.report_id)
    return render(request, "reports/_paragraph.html", _paragraph_context(p, p.version, True))


@login_required
@require_POST
def report_meta(request, pk):
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    form = MetaForm(request.POST)
    if form.is_valid():
        try:
            services.version_update_meta(version=report.current_version(), user=request.user, **form.cleaned_data)
            messages.success(request, "已保存标题和成文日期")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, error_text(form))
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_regenerate(request, pk):
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    try:
        version = services.report_regenerate(report=report, user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("report_detail", pk=report.pk)
    kept = version.paragraphs.filter(is_edited=True).count()
    messages.success(request, f"已按最新记录重新生成第{version.number}版，保留手工修改的段落{kept}段")
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_finalise(request, pk):
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    if not may_sign(request.user, report.org):
        raise PermissionDenied("只有社区书记（或街道）可以定稿")
    try:
        version = services.report_finalise(report=report, user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("report_detail", pk=report.pk)
    messages.success(request, f"第{version.number}版已定稿：数字已冻结，之后记录的变化不会改变本版")
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_new_version(request, pk):
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    version = services.report_new_version(report=report, user=request.user)
    messages.success(request, f"已新建第{version.number}版（草稿），可继续修改或重新生成")
    return redirect("report_detail", pk=report.pk)


# --- compare ----------------------------------------------------------------------------------------

def _lines(version: ReportVersion) -> list[str]:
    figures = version.figures.get("figures", {})
    return [fill(p.source, figures) for p in version.paragraphs.all()]


def _inline_diff(a: str, b: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Two lines as (mark, text) runs: mark "" for kept text, "del"/"ins" for what changed."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            left.append(("", a[i1:i2]))
            right.append(("", b[j1:j2]))
        else:
            if i2 > i1:
                left.append(("del", a[i1:i2]))
            if j2 > j1:
                right.append(("ins", b[j1:j2]))
    return left, right


def diff_rows(old: list[str], new: list[str]) -> list[dict]:
    """Rows of the version comparison; each side a list of (mark, text) runs (reports/diff.html)."""
    rows = []
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            rows += [{"op": "equal", "old": [("", x)], "new": [("", x)]} for x in old[i1:i2]]
        elif op == "replace" and i2 - i1 == j2 - j1:
            for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                left, right = _inline_diff(a, b)
                rows.append({"op": "replace", "old": left, "new": right})
        else:
            rows += [{"op": "delete", "old": [("del", x)], "new": []} for x in old[i1:i2]]
            rows += [{"op": "insert", "old": [], "new": [("ins", x)]} for x in new[j1:j2]]
    return rows


@login_required
def report_diff(request, pk):
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    versions = list(report.versions.order_by("number"))
    numbers = [v.number for v in versions]
    try:
        b = int(request.GET.get("b") or numbers[-1])
        a = int(request.GET.get("a") or (b - 1 if b - 1 in numbers else numbers[0]))
        va, vb = report.versions.get(number=a), report.versions.get(number=b)
    except (ValueError, ReportVersion.DoesNotExist) as exc:
        raise Http404("没有这个版本") from exc
    rows = diff_rows([va.title] + _lines(va), [vb.title] + _lines(vb))
    changed = sum(1 for r in rows if r["op"] != "equal")
    return render(request, "reports/diff.html", {"report": report, "a": va, "b": vb, "versions": versions,
                                                 "rows": rows, "changed": changed})


# --- downloads --------------------------------------------------------------------------------------

def _filename(report: Report, version: ReportVersion, ext: str) -> str:
    state = "定稿" if version.is_final else "草稿"
    return f"{report.org.display_name}{report.period_obj.label}述职报告（第{version.number}版{state}）.{ext}"


@login_required
def report_download(request, pk, fmt):
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    version = _version(request, report)
    if fmt == "json":
        body = json.dumps(services.version_json(version), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = file_response(b"", _filename(report, version, "json"))["Content-Disposition"]
        return response
    data = services.version_docx(version)
    if fmt == "docx":
        return file_response(data, _filename(report, version, "docx"), DOCX)
    if fmt == "pdf":
        try:
            return file_response(pdf.docx_to_pdf(data), _filename(report, version, "pdf"), "application/pdf")
        except pdf.ConversionError as exc:
            messages.error(request, str(exc))
            return redirect(reverse("report_detail", args=[report.pk]) + f"?v={version.number}")
    raise Http404


@login_required
@require_POST
def report_download_protected(request, pk):
    """A finalised version's .docx with Word's read-only restriction; the password is hashed into
    the file and kept nowhere else."""
    require_record_keeper(request.user)
    report = get_visible_or_404(Report.objects.select_related("org", "org__parent"), request, pk)
    version = _version(request, report)
    if not version.is_final:
        raise PermissionDenied("只有定稿版本可以加限制编辑")
    form = ProtectForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("report_detail", pk=report.pk)
    data = protect_docx(services.version_docx(version), form.cleaned_data["password"])
    return file_response(data, _filename(report, version, "docx").replace(".docx", "（限制编辑）.docx"), DOCX)


# --- street view and batch -------------------------------------------------------------------------

@login_required
def street_view(request):
    org, period = org_and_period(request, default=_default_period())
    rows = batch_mod.community_status(org, period)
    batches = ReportBatch.objects.filter(org=org, period=str(period), requested_by=request.user)[:3]
    running = Job.objects.filter(kind__in=("report_draft", "report_finalise"), org__in=[r["org"] for r in rows]).unfinished()
    return render(request, "reports/street.html", {
        "org": org, "period": period, "rows": rows, "finalised": sum(1 for r in rows if r["final"]),
        "undrafted": sum(1 for r in rows if r["report"] is None), "finalisable": len(batch_mod.finalisable(rows)),
        "running": running.count(), "can_keep": may_keep_records(request.user),
        "periods": [period.previous(), period, period.next()], "batches": batches, "batch_form": BatchForm(),
        "orgs": visible_orgs(request.user).exclude(kind__in=(OrgKind.BRANCH, OrgKind.GROUP)),
        "pdf_available": pdf.available(),
    })


def _keeper_org_period(request):
    """A record keeper's POST: the org (within their scope) and the period it names."""
    require_record_keeper(request.user)
    org = get_org_for_user(request, request.POST.get("org"))
    try:
        return org, Period.parse(request.POST.get("period", ""))
    except ValueError as exc:
        raise Http404(str(exc)) from exc


@login_required
@require_POST
def street_draft(request):
    """Queue a draft for each community of the org that has none for the period (one task each)."""
    org, period = _keeper_org_period(request)
    jobs = batch_mod.street_draft_start(org=org, period=period, user=request.user)
    messages.success(request, f"已提交{len(jobs)}个社区的起草任务，由后台进程处理，请稍后刷新查看")
    return redirect(reverse("street_view") + f"?org={org.pk}&period={period}")


@login_required
@require_POST
def street_finalise(request):
    """Queue the finalising of each community draft with nothing left to write (one task each)."""
    org, period = _keeper_org_period(request)
    jobs = batch_mod.street_finalise_start(org=org, period=period, user=request.user)
    messages.success(request, f"已提交{len(jobs)}份草稿的定稿任务，由后台进程处理，请稍后刷新查看")
    return redirect(reverse("street_view") + f"?org={org.pk}&period={period}")


@login_required
@require_POST
def batch_create(request):
    org, period = _keeper_org_period(request)
    form = BatchForm(request.POST)
    with_pdf = form.is_valid() and form.cleaned_data["with_pdf"] and pdf.available()
    batch = batch_mod.batch_start(org=org, period=period, user=request.user, with_pdf=with_pdf)
    if is_htmx(request):
        return render(request, "reports/_batch.html", {"batch": batch})
    return redirect(reverse("street_view") + f"?org={org.pk}&period={period}")


@login_required
def batch_status(request, pk):
    batch = batch_mod.batch_refresh(get_visible_or_404(ReportBatch.objects.select_related("org"), request, pk))
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": batch.status, "done": batch.done, "total": batch.total, "percent": batch.percent})
    return render(request, "reports/_batch.html", {"batch": batch})


@login_required
def batch_download(request, pk):
    batch = get_visible_or_404(ReportBatch.objects.select_related("org"), request, pk)
    if batch.status != ReportBatch.Status.DONE or not batch.filename:
        raise Http404("压缩包尚未生成")
    path = batch_mod.export_dir() / batch.filename
    if not path.exists():
        raise Http404("压缩包已过期，请重新生成")
    name = f"{batch.org.display_name}{Period.parse(batch.period).label}述职报告.zip"
    response = FileResponse(path.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = file_response(b"", name)["Content-Disposition"]
    return response
