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


Number = int | Decimal | float


@dataclass(frozen=True)
class Relation:
    """A relation that must hold between figures of one org and period, with the numbers it compared.

    `text` states it as a user reads it ("应交 = 实交 + 欠交 + 未到期"); `numbers` names each side's
    terms by the labels the screens use, so a failure can be shown as it is.
    """

    key: str
    text: str
    numbers: dict[str, Number]
    holds: bool

    def as_json(self) -> dict:
        return {"key": self.key, "relation": self.text, "holds": self.holds,
                "numbers": {k: str(v) if isinstance(v, Decimal) else v for k, v in self.numbers.items()}}


def named_terms(terms) -> dict[str, Number]:
    """Terms by name; a name seen twice (two branches both called 第一党支部) gets a number."""
    out: dict[str, Number] = {}
    for name, value in (terms.items() if isinstance(terms, dict) else terms):
        key, n = name, 1
        while key in out:
            n += 1
            key = f"{name}（{n}）"
        out[key] = value
    return out


def sums_to(key: str, total: tuple[str, Number], parts, *, text: str = "") -> Relation:
    """total = the sum of parts (a dict, or (name, value) pairs when names may repeat)."""
    name, value = total
    named = named_terms(parts)
    text = text or f"{name} = " + " + ".join(named)
    return Relation(key, text, {name: value, **named}, value == sum(named.values()))


def equals(key: str, left: tuple[str, Number], right: tuple[str, Number]) -> Relation:
    """Two figures that name the same count (e.g. a figure and the length of its list)."""
    return Relation(key, f"{left[0]} = {right[0]}", dict((left, right)), left[1] == right[1])


def at_most(key: str, part: tuple[str, Number], whole: tuple[str, Number]) -> Relation:
    """part ≤ whole (a "6个月以上" count within the "3个月以上" one)."""
    return Relation(key, f"{part[0]} ≤ {whole[0]}", dict((part, whole)), part[1] <= whole[1])
