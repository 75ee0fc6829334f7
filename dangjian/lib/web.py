"""Small helpers shared by views: htmx detection, file responses, pagination, error text."""

import re
from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property

from .periods import FIRST_YEAR, LAST_YEAR, Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_filename(filename: str) -> str:
    """A download's name built from names people typed: no folders, no control characters, and
    no leading = + - @ that a spreadsheet program could read as a formula."""
    name = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]', "_", filename).lstrip("=+-@ .")
    return name[-150:] or "download"


def file_response(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # RFC 6266 filename* so Chinese names survive every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(safe_filename(filename))}"
    return response


class NoStoreMiddleware:
    """Nothing a signed-in user sees, and no download, stays in a browser's or proxy's cache:
    rosters, ID numbers and phones must not be readable from a shared computer after logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or response.has_header("Content-Disposition"):
            add_never_cache_headers(response)
        return response


def paginate(request, queryset, per_page: int = 50, at_most: int | None = None):
    """A page of the queryset; with `at_most`, rows past that many are neither counted nor paged
    to (`page.paginator.more` says there are more): one LIMIT'ed count, not a count of a whole
    street's or district's register, which nobody pages through — they search or filter."""
    paginator = Paginator(queryset, per_page) if at_most is None else AtMostPaginator(queryset, per_page, at_most=at_most)
    return paginator.get_page(request.GET.get("page"))


class AtMostPaginator(Paginator):
    def __init__(self, object_list, per_page, *, at_most: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.at_most = at_most

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.at_most + 1].count()  # which rows: no matter

    @property
    def more(self) -> bool:
        return self.count > self.at_most

    @property
    def num_pages(self) -> int:
        return max(1, -(-min(self.count, self.at_most) // self.per_page))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


MAX_QUERY = 100  # a search longer than any name, address or note people look for


def _bad_parameter(request) -> str | None:
    year = request.GET.get("year", "").strip()
    if year and not (year.isdecimal() and FIRST_YEAR <= int(year) <= LAST_YEAR):
        return f"年份“{year[:20]}”无效，应在{FIRST_YEAR}—{LAST_YEAR}之间"
    period = request.GET.get("period", "").strip()
    if period:
        try:
            Period.parse(period[:40])
        except ValueError as exc:
            return str(exc)
    return None


class QueryBoundsMiddleware:
    """Every page's ?year= and ?period= are checked once here (a bad one answers 400 with the
    reason in Chinese instead of reaching date arithmetic), and ?q= is cut to MAX_QUERY."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if problem := _bad_parameter(request):
            return HttpResponseBadRequest(f"参数错误：{problem}", content_type="text/plain; charset=utf-8")
        if len(request.GET.get("q", "")) > MAX_QUERY:
            request.GET = request.GET.copy()
            request.GET["q"] = request.GET["q"][:MAX_QUERY]
        request.GET = _without_nul(request.GET)
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            request.POST = _without_nul(request.POST)
        return self.get_response(request)


def _without_nul(query):
    """NUL never belongs in typed text, and PostgreSQL refuses it in any string (a 500 otherwise)."""
    if not any("\x00" in v for _, values in query.lists() for v in values):
        return query
    clean = query.copy()
    for key, values in query.lists():
        clean.setlist(key, [v.replace("\x00", "") for v in values])
    return clean


def error_text(error: ValidationError | forms.BaseForm) -> str:
    """The Chinese message a view shows for a service's ValidationError or an invalid form:
    each problem once, a form field's named by its label ("金额：请输入数字"), joined by "；"."""
    if isinstance(error, forms.BaseForm):
        parts = []
        for name, errors in error.errors.items():
            label = error.fields[name].label if name in error.fields else ""
            parts.append(f"{label}：{errors[0]}" if label else str(errors[0]))
        return "；".join(parts)
    return "；".join(error.messages)


def posted_id(request, key: str) -> int:
    """A row id a form posted (e.g. the attendance row to remove): 404 when it is not a number."""
    try:
        return int(request.POST[key])
    except (KeyError, ValueError) as exc:
        raise Http404("记录不存在") from exc
