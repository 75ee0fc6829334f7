"""Small helpers shared by views: htmx detection, file responses, pagination."""

import re
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

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


def paginate(request, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
