"""Writes on reports: draft, edit a paragraph, regenerate, finalise, start a new version."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dangjian.lib.periods import Period
from dangjian.orgs.models import Org
from dangjian.orgs.scoping import may_sign

from . import sources
from .drafting import Draft, draft, fill, keys_in, paragraph_sources, placeholders_in, relink
from .models import Report, ReportParagraph, ReportTemplate, ReportVersion
from .rendering import Block, DocxDocument, render_docx
from .sources import plain


def default_reporter_title(org: Org) -> str:
    return f"{org.name}书记"


def previous_report(org: Org, period: Period) -> dict | None:
    """The previous period's report (its final version, else its newest) as the draft reads it."""
    prev = Report.objects.filter(org=org, period=str(period.previous())).first()
    if prev is None:
        return None
    version = prev.final_version() or prev.current_version()
    if version is None:
        return None
    return {"label": period.previous().label, "report_id": prev.pk, "version": version.number,
            "final": version.is_final, "url": reverse("report_detail", args=[prev.pk]),
            "measures": version.figures.get("measures", [])}


def compose(org: Org, period: Period) -> Draft:
    parent = org.parent
    return draft(
        sources.collect(org, period),
        org_label=org.display_name,
        parent_label=parent.name if parent else "上级党组织",
        generated_at=timezone.localtime().isoformat(timespec="seconds"),
        previous=previous_report(org, period),
    )


def _write_paragraphs(version: ReportVersion, paragraphs: list[ReportParagraph]) -> None:
    for i, p in enumerate(paragraphs):
        p.version, p.position = version, i
        p.pk = None
    ReportParagraph.objects.bulk_create(paragraphs)


def report_draft(*, org: Org, period: Period, reporter_name: str, reporter_title: str = "",
                 reporter=None, user) -> Report:
    """Read the period's figures and word the draft, then write it. The reading (about a second)
    happens before the write transaction, so drafts of several communities in several workers do
    not wait for each other's figures (SQLite takes its write lock when the transaction begins)."""
    report = Report(org=org, period=str(period), reporter_name=reporter_name.strip(),
                    reporter_title=reporter_title.strip(), reporter=reporter, created_by=user)
    report.full_clean()
    return _draft_save(report, compose(org, period), user)


@transaction.atomic
def _draft_save(report: Report, d: Draft, user) -> Report:
    report.full_clean()  # again inside the transaction: another request may have drafted it meanwhile
    report.save()
    version = ReportVersion(report=report, number=1, title=d.title, dated_on=d.dated_on, figures=d.snapshot,
                            generated_at=timezone.now(), note="系统起草", created_by=user)
    version.full_clean()
    version.save()
    _write_paragraphs(version, [ReportParagraph(key=p.key, style=p.style, generated=p.text) for p in d.paragraphs])
    return report


def _require_draft(version: ReportVersion) -> None:
    if not version.is_draft:
        raise ValidationError("该版本已定稿或已被新版本取代，不能修改；请新建版本后再编辑")


@transaction.atomic
def paragraph_save(*, paragraph: ReportParagraph, text: str, user) -> ReportParagraph:
    version = ReportVersion.objects.select_for_update().get(pk=paragraph.version_id)
    _require_draft(version)
    text = text.strip()
    if not text:
        raise ValidationError("段落内容不能为空；不需要的段落可以写明“（略）”")
    figures = version.figures.get("figures", {})
    if text == fill(paragraph.generated, figures).strip():
        paragraph.edited, paragraph.is_edited = "", False
    else:
        paragraph.edited, paragraph.is_edited = relink(text, paragraph.generated, figures), True
    paragraph.edited_by, paragraph.edited_at = user, timezone.now()
    paragraph.save()
    return paragraph


@transaction.atomic
def paragraph_reset(*, paragraph: ReportParagraph, user) -> ReportParagraph:
    _require_draft(paragraph.version)
    paragraph.edited, paragraph.is_edited, paragraph.orphaned = "", False, False
    paragraph.edited_by, paragraph.edited_at = user, timezone.now()
    paragraph.save()
    return paragraph


def _merge(old: list[ReportParagraph], new: list[ReportParagraph]) -> list[ReportParagraph]:
    """New paragraphs, with the user's edits carried over by key; an edited paragraph whose key
    the new draft no longer has stays, right after the paragraph it followed, marked orphaned."""
    edited = {p.key: p for p in old if p.is_edited}
    out: list[ReportParagraph] = []
    for p in new:
        mine = edited.pop(p.key, None)
        if mine is not None:
            p.edited, p.is_edited, p.edited_by, p.edited_at = mine.edited, True, mine.edited_by, mine.edited_at
        out.append(p)
    for p in old:  # orphans, in their old order
        if p.key not in edited:
            continue
        keys = [q.key for q in out]
        before = [q.key for q in old[: old.index(p)]]
        anchor = next((k for k in reversed(before) if k in keys), None)
        position = keys.index(anchor) + 1 if anchor else len(out)
        out.insert(position, ReportParagraph(key=p.key, style=p.style, generated=p.generated, edited=p.edited,
                                             is_edited=True, orphaned=True, edited_by=p.edited_by, edited_at=p.edited_at))
    return out


@transaction.atomic
def report_regenerate(*, report: Report, user) -> ReportVersion:
    """Refresh every figure from the records into a new version; edited paragraphs are kept."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    current = report.current_version()
    if current is None or not current.is_draft:
        raise ValidationError("当前版本已定稿，请先新建版本再重新生成")
    d = compose(report.org, report.period_obj)
    old = list(current.paragraphs.all())
    new = [ReportParagraph(key=p.key, style=p.style, generated=p.text) for p in d.paragraphs]
    current.status = ReportVersion.Status.SUPERSEDED
    current.save(update_fields=["status"])
    version = ReportVersion.objects.create(
        report=report, number=current.number + 1, title=current.title,
        dated_on=current.dated_on, figures=d.snapshot, generated_at=timezone.now(), note="重新生成（保留手工修改）",
        created_by=user)
    _write_paragraphs(version, _merge(old, new))
    return version


@transaction.atomic
def report_new_version(*, report: Report, user) -> ReportVersion:
    """A new draft copied from the newest version (e.g. after finalising), figures unchanged."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    current = report.current_version()
    if current.is_draft:
        return current
    version = ReportVersion.objects.create(
        report=report, number=current.number + 1, title=current.title, dated_on=current.dated_on,
        figures=current.figures, generated_at=current.generated_at, note=f"由第{current.number}版复制", created_by=user)
    copies = [ReportParagraph(key=p.key, style=p.style, generated=p.generated, edited=p.edited, is_edited=p.is_edited,
                              orphaned=p.orphaned, edited_by=p.edited_by, edited_at=p.edited_at)
              for p in current.paragraphs.all()]
    _write_paragraphs(version, copies)
    return version


@transaction.atomic
def version_update_meta(*, version: ReportVersion, title: str, dated_on, user) -> ReportVersion:
    _require_draft(version)
    version.title, version.dated_on = title.strip(), dated_on
    version.full_clean()
    version.save(update_fields=["title", "dated_on"])
    return version


def report_finalise(*, report: Report, user) -> ReportVersion:
    """Freeze the current draft: its figures stay as snapshotted, the .docx is stored as handed in.
    The .docx is rendered before the write transaction; inside it, a draft that changed meanwhile
    (a paragraph saved, a new version) is rendered again from what is then stored."""
    if not may_sign(user, report.org):
        raise PermissionDenied("只有社区书记（或街道）可以定稿")
    version = report.current_version()
    _require_draft(version)
    paragraphs = list(version.paragraphs.all())
    _refuse_placeholders(paragraphs)
    template = active_template()
    rendered = (_text_state(version, paragraphs), render_docx(_document(version, paragraphs), template))
    return _finalise_save(report, rendered, template, user)


def _text_state(version: ReportVersion, paragraphs: list[ReportParagraph]) -> tuple:
    return (version.pk, version.title, version.dated_on, version.report.signer, [(p.style, p.source) for p in paragraphs])


def _refuse_placeholders(paragraphs: list[ReportParagraph]) -> None:
    left = placeholders(paragraphs)
    if left:
        first = left[0]
        raise ValidationError(f"报告中还有{len(left)}处“请补充”的内容没有填写（第一处：{first['what']}），"
                              "请在“自检”中逐项补充后再定稿")


@transaction.atomic
def _finalise_save(report: Report, rendered: tuple, template: bytes | None, user) -> ReportVersion:
    report = Report.objects.select_for_update().get(pk=report.pk)
    version = report.current_version()
    _require_draft(version)
    paragraphs = list(version.paragraphs.all())
    _refuse_placeholders(paragraphs)
    state, docx = rendered
    if _text_state(version, paragraphs) != state:
        docx = render_docx(_document(version, paragraphs), template)
    version.docx = docx
    version.status = ReportVersion.Status.FINAL
    version.finalised_by, version.finalised_at = user, timezone.now()
    version.figures = {**version.figures, "frozen_at": version.finalised_at.isoformat(timespec="seconds")}
    version.save()
    return version


def version_json(version: ReportVersion) -> dict:
    """The version's figures snapshot, its title and, per paragraph, its text and what it rests on."""
    return {**version.figures, "title": version.title, "version": version.number, "status": version.status,
            "paragraphs": [paragraph_sources(p.key, p.style, p.source, is_edited=p.is_edited, snapshot=version.figures)
                           for p in version.paragraphs.all()]}


def placeholders(paragraphs: list[ReportParagraph]) -> list[dict]:
    """Every 【请补充：…】 in the paragraphs' text, in order, with its paragraph."""
    return [{"paragraph": p, "what": what} for p in paragraphs for what in placeholders_in(p.source)]


def placeholders_left(version: ReportVersion) -> list[dict]:
    """Every 【请补充：…】 still in the version's text, in order, with its paragraph."""
    return placeholders(list(version.paragraphs.all()))


# --- rendering ------------------------------------------------------------------------------------

def active_template() -> bytes | None:
    tpl = ReportTemplate.objects.filter(is_active=True).order_by("-uploaded_at").first()
    if tpl is None:
        return None
    with tpl.file.open("rb") as fh:
        return fh.read()


def figure_rows(figures: dict) -> list[dict]:
    """The appendix: every figure the version uses, in report order."""
    rows = []
    for f in figures.values():
        unit = f.get("unit") or ""
        value = plain(f["value"])
        if unit.startswith("/"):  # "120/123人": the value is a share of a total
            value, unit = value + unit.rstrip("人次个条项元%"), unit[-1] if unit[-1] in "人次个条项元%" else ""
        rows.append({"label": f["label"], "value": value, "unit": unit, "source": f.get("source", "")})
    return rows


def build_document(*, title: str, items: list[tuple[str, str]], snapshot: dict, signer: str, dated) -> DocxDocument:
    """The .docx content from paragraphs (style, text with markers) and a figures snapshot."""
    figures = snapshot.get("figures", {})
    used = [k for _, text in items for k in keys_in(text)]
    ordered = {k: figures[k] for k in dict.fromkeys(used) if k in figures}
    ordered.update({k: f for k, f in figures.items() if k not in ordered})
    missing = [a["label"] for a in snapshot.get("apps", {}).values() if not a["installed"]]
    failed = [a["label"] for a in snapshot.get("apps", {}).values() if a["installed"] and a.get("error")]
    when = snapshot.get("generated_at", "")[:16].replace("T", " ")
    note = f"数据读取时间：{when}。以上数字均由系统从业务记录中统计，可在系统中逐项查看明细。"
    if missing:
        note += f"未启用的模块：{'、'.join(missing)}。"
    if failed:
        note += f"数据读取失败的模块：{'、'.join(failed)}。"
    return DocxDocument(title=title, blocks=[Block(style, fill(text, figures)) for style, text in items],
                        signer=signer, dated=dated, figures=figure_rows(ordered), appendix_note=note)


def _document(version: ReportVersion, paragraphs: list[ReportParagraph]) -> DocxDocument:
    return build_document(title=version.title, items=[(p.style, p.source) for p in paragraphs],
                          snapshot=version.figures, signer=version.report.signer, dated=version.dated_on)


def docx_document(version: ReportVersion) -> DocxDocument:
    return _document(version, list(version.paragraphs.all()))


def version_docx(version: ReportVersion) -> bytes:
    if version.is_final and version.docx:
        return bytes(version.docx)
    return render_docx(docx_document(version), active_template())
