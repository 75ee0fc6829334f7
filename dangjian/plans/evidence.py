"""Evidence links to records in any app, without importing those apps.

A record's org is found generically: an `evidence_org` attribute, else an `org` foreign key to
Org, else the org of a record it points to (an attendance row → its meeting → the meeting's org).
A pasted page address of this system is resolved to the record behind it — through the owning
app's own `_get_<thing>_for_user` helper that the page's view calls, else by url name
(`member_detail` → Member) or get_absolute_url — and refused when the record lies outside the
user's scope.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from dangjian.orgs.models import Org
from dangjian.orgs.scoping import may_keep_records

# A page with a record id whose record could not be identified: refused, since its scope is unknown.
_UNKNOWN = object()
# A record the owning app's scope helper refused (404/403) for this user.
_OUTSIDE = object()


def target_org(obj: models.Model | None, _depth: int = 0) -> Org | None:
    if obj is None:
        return None
    if isinstance(obj, Org):
        return obj
    org = getattr(obj, "evidence_org", None)
    if isinstance(org, Org):
        return org
    for name in ("org",):
        value = getattr(obj, name, None)
        if isinstance(value, Org):
            return value
    if _depth >= 2:
        return None
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.related_model is not Org:
            if field.name in ("user", "created_by", "added_by", "author") or field.related_model._meta.app_label in ("auth", "contenttypes"):
                continue
            related = getattr(obj, field.name, None)
            org = target_org(related, _depth + 1)
            if org is not None:
                return org
    return None


def record_url(obj: models.Model) -> str:
    """The record's page: get_absolute_url, else the `<model>_detail` url, else the detail page
    whose view fetches it with `_get_<model>_for_user` (meeting_detail → Activity)."""
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    names = [f"{obj._meta.model_name}_detail", _detail_url_names().get(obj._meta.label_lower, "")]
    for name in filter(None, names):
        try:
            return reverse(name, args=[obj.pk])
        except NoReverseMatch:
            continue
    return ""


@functools.cache
def _detail_url_names() -> dict[str, str]:
    """model label → the url name of a one-pk page whose view calls `_get_<model>_for_user`."""
    found: dict[str, str] = {}

    def walk(patterns) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
                continue
            if not isinstance(p, URLPattern) or not p.name or list(p.pattern.converters) not in (["pk"], ["id"]):
                continue
            helper = _scope_helper(p.callback)
            config = apps.get_containing_app_config(getattr(p.callback, "__module__", "") or "")
            if helper is None or config is None:
                continue
            thing = helper.__name__.removeprefix("_get_").removesuffix("_for_user").replace("_", "")
            label = f"{config.label}.{thing}"
            if label not in found or p.name.endswith("_detail"):
                found[label] = p.name

    walk(get_resolver().url_patterns)
    return found


def _pk_from(kwargs: dict) -> str | None:
    for key in ("pk", "id"):
        if key in kwargs:
            return str(kwargs[key])
    ids = [v for k, v in kwargs.items() if k.endswith(("_pk", "_id"))]
    return str(ids[0]) if len(ids) == 1 else None


def record_for_path(path: str, user=None) -> tuple[bool, models.Model | None]:
    """(resolves, record): whether the path is a page of this system, and the record it shows.

    A record page's view calls its app's `_get_<thing>_for_user(request, pk)` (the project's
    convention); calling that helper as the user both finds the record and applies the owning
    app's own scope rule (Http404 outside). Failing that, the record is found by url name
    (`member_detail` → Member) or by get_absolute_url, and its org is checked here."""
    try:
        match = resolve(path)
    except Resolver404:
        return False, None
    pk = _pk_from(match.kwargs)
    if pk is None:
        return True, None
    helper = _scope_helper(match.func)
    if helper is not None and user is not None:
        request = HttpRequest()
        request.method, request.path, request.user = "GET", path, user
        try:
            return True, helper(request, pk)
        except (Http404, PermissionDenied):
            return True, _OUTSIDE
    config = apps.get_containing_app_config(getattr(match.func, "__module__", "") or "")
    if config is None:
        return True, _UNKNOWN
    by_name = {m._meta.model_name: m for m in config.get_models()}
    parts = (match.url_name or "").split("_")
    for k in range(len(parts), 0, -1):
        model = by_name.get("".join(parts[:k]))
        obj = _get(model, pk) if model is not None else None
        if obj is not None:
            return True, obj
    for model in by_name.values():
        obj = _get(model, pk) if hasattr(model, "get_absolute_url") else None
        if obj is not None and urlsplit(obj.get_absolute_url()).path == path:
            return True, obj
    return True, _UNKNOWN


def _scope_helper(view) -> Callable | None:
    """The `_get_<thing>_for_user` helper a view calls first, if any."""
    view = inspect.unwrap(view)
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return None
    found = re.search(r"\b(_get_\w+_for_user)\(", source)
    if found is None:
        return None
    module = sys.modules.get(view.__module__)
    helper = getattr(module, found.group(1), None)
    return helper if callable(helper) else None


def _get(model: type[models.Model], pk: str) -> models.Model | None:
    try:
        return model._default_manager.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        return None




def resolve_evidence_url(user, url: str, *, host: str = "") -> tuple[str, models.Model | None]:
    """Check a pasted link and return (url to store, record behind it or None).

    Pages of this system must exist and show a record inside the user's scope; outside pages
    must be http(s)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise ValidationError("链接只能是本系统的页面地址或 http(s) 网址")
    if parts.scheme and parts.netloc and parts.netloc != host:
        return url[:500], None
    if not parts.path.startswith("/"):
        raise ValidationError("链接只能是本系统的页面地址（以 / 开头）或 http(s) 网址")
    found, record = record_for_path(parts.path, user)
    if not found:
        raise ValidationError(f"本系统中没有这个页面：{parts.path}")
    if record is _OUTSIDE:
        raise ValidationError("该记录不在您的管辖范围内，不能作为佐证")
    if record is _UNKNOWN:
        raise ValidationError("无法识别该页面对应的记录，请粘贴记录详情页的地址")
    if record is not None:
        org = target_org(record)
        if org is None:
            raise ValidationError("该类记录不能作为佐证（无法确定所属组织）")
        if user is not None and not may_keep_records(user, org):
            raise ValidationError("该记录不在您的管辖范围内，不能作为佐证")
    org_ids = parse_qs(parts.query).get("org", [])
    for org_id in org_ids:
        org = Org.objects.filter(pk=org_id).first() if org_id.isdigit() else None
        if org is None or (user is not None and not may_keep_records(user, org)):
            raise ValidationError("链接中的组织不在您的管辖范围内")
    local = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return local[:500], record
