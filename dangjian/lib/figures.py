"""The shape every app's figures share: a number that can name the records behind it."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse


@dataclass(frozen=True)
class Figure:
    """One number for a report or a panel, with a link to the list of records behind it."""

    label: str
    value: int | Decimal | float | str
    link: str = ""
    unit: str = ""

    def as_json(self) -> dict:
        value = str(self.value) if isinstance(self.value, Decimal) else self.value
        return {"label": self.label, "value": value, "unit": self.unit, "link": self.link}


def link(url_name: str, *args, **params) -> str:
    """A URL to a filtered list, e.g. link('member_list', org=3, status='预备')."""
    url = reverse(url_name, args=args)
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True)
    return f"{url}?{query}" if query else url
