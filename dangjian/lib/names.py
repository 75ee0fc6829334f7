"""Names of organisations and grids as clerks write them: "三支部", "第三支部", "第3党支部" and
"第三党支部" are one branch; "一网格" and "第1网格" one grid.

`name_key` reduces a name to (core, kind): numbers in Arabic digits (汉字数字 converted, leading
zeros dropped), no "第", and the kind word (党支部/支部 → 支部, 党小组/小组 → 小组, 网格 …) split
off. `NameIndex` finds what a written name means among known items: an exact name first, then the
same key, then — for a name written without a kind word — the same core.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")
# Longest first: the kind word a name ends with, and what it stands for.
_KINDS = (("党总支部", "总支"), ("党总支", "总支"), ("总支部", "总支"), ("总支", "总支"), ("党支部", "支部"),
          ("支部", "支部"), ("党小组", "小组"), ("小组", "小组"), ("党委", "党委"), ("网格", "网格"))
_PUNCT = re.compile(r"[\s·・.,，、_\-—()（）\[\]【】\"'“”‘’]+")


def cn_to_int(text: str) -> int | None:
    """二十三 → 23, 十 → 10, 一百零五 → 105, 三 → 3; None for what is no number (百 alone)."""
    if all(ch in _DIGIT for ch in text):  # 一二三 written digit by digit
        return int("".join(str(_DIGIT[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGIT:
            current = _DIGIT[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            if not current:
                return None
            total += current * 100
            current = 0
    return total + current


def _arabic(text: str) -> str:
    def convert(match: re.Match[str]) -> str:
        number = cn_to_int(match.group())
        return match.group() if number is None else str(number)

    text = _CN_NUMBER.sub(convert, text)
    return re.sub(r"\d+", lambda m: str(int(m.group())), text)


def clean_name(name: str) -> str:
    """NFKC, no whitespace or punctuation: what two spellings of one exact name share."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", name or ""))


def name_key(name: str) -> tuple[str, str]:
    """(core, kind) of a name: "第3党支部" → ("3", "支部"), "一网格" → ("1", "网格")."""
    text = re.sub(r"第(?=\d)", "", _arabic(clean_name(name)))
    for word, kind in _KINDS:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)], kind
    return text, ""


class NameIndex(Generic[T]):
    """Items (each with the names it is known by) looked up by a name as someone wrote it."""

    def __init__(self, items: Iterable[tuple[T, Iterable[str]]]):
        self.exact: dict[str, list[T]] = {}
        self.keyed: dict[tuple[str, str], list[T]] = {}
        self.core: dict[str, list[T]] = {}
        for item, names in items:
            for name in {n for n in names if n}:
                for table, key in ((self.exact, clean_name(name)), (self.keyed, name_key(name)),
                                   (self.core, name_key(name)[0])):
                    found = table.setdefault(key, [])
                    if item not in found:
                        found.append(item)

    def find(self, written: str) -> list[T]:
        """Every item the name may mean: one is a match, none or several need the user."""
        exact = self.exact.get(clean_name(written))
        if exact:
            return exact
        core, kind = name_key(written)
        if kind:
            return self.keyed.get((core, kind), [])
        return self.core.get(core, [])
