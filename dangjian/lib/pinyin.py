"""Pinyin of personal names, for search boxes where `zs` finds 张三."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# pypinyin reads characters by their most common sound; as surnames these are read otherwise
# (曾 zēng, not céng). 乐 is left alone: Lè and Yuè are both common surnames.
_COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
}
_SURNAMES: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "翟": "zhai",
    "覃": "qin",
    "种": "chong",
    "黑": "he",
    "秘": "bi",
    "员": "yun",
    "折": "she",
    "缪": "miao",
    "薄": "bo",
    "召": "shao",
    "繁": "po",
    "祭": "zhai",
    "长": "chang",
    "盖": "ge",
    "隗": "wei",
    "逄": "pang",
    "能": "nai",
    "句": "gou",
}
_RUNS = re.compile(r"[a-z]+|[^\x00-\x7f]+")


def _surname_first(run: str) -> tuple[tuple[str, ...], str]:
    """Pinyin of the surname leading a name, and the rest of the run.

    The surname is read alone, as a surname: pypinyin would otherwise read it as the first
    character of a word formed with the given name."""
    if run[:2] in _COMPOUND_SURNAMES:
        return _COMPOUND_SURNAMES[run[:2]], run[2:]
    if run[:1] in _SURNAMES:
        return (_SURNAMES[run[:1]],), run[1:]
    return _cjk(run[:1]), run[1:]


@lru_cache(maxsize=32_768)
def _cjk(run: str) -> tuple[str, ...]:
    """Toneless pinyin of a run of Chinese characters. Surnames and given names repeat a great
    deal across a register, so the cache (bounded, a few MB) saves most of pypinyin's cost."""
    return tuple(s for s in lazy_pinyin(run, style=Style.NORMAL, errors="ignore") if s)


def _syllables(name: str) -> list[tuple[str, bool]]:
    """(syllable, is_latin) pairs; ASCII words are kept whole, digits and punctuation dropped."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    out: list[tuple[str, bool]] = []
    for run in _RUNS.findall(text):
        if run.isascii():
            out.append((run, True))
            continue
        head, rest = _surname_first(run) if not out else ((), run)
        out.extend((s, False) for s in head + _cjk(rest))
    return out


def search_keys(name: str) -> tuple[str, str]:
    """(initials(name), full_pinyin(name)) from one pass, for code that stores both."""
    syllables = _syllables(name)
    return "".join(s if latin else s[0] for s, latin in syllables), "".join(s for s, _ in syllables)


def initials(name: str) -> str:
    """`张三` → `zs`, `曾小明` → `zxm`; ASCII words pass through (`Mary王` → `maryw`)."""
    return search_keys(name)[0]


def full_pinyin(name: str) -> str:
    """`张三` → `zhangsan`; ü is written v (`吕` → `lv`), as on a keyboard."""
    return search_keys(name)[1]
