"""What a person search box matches (the member roll, the resident register, the dues book).

The text says which column it is about, and only that column is asked, so the database answers
each kind from its own index (an OR with `name LIKE '%…%'` would make every kind read the
whole table):

- a whole ID number (18 characters) → the keyed hash of it (`id_hash`), an exact match;
- 4 digits → the phone tail (`phone_tail` already holds the last 4 digits), an exact match;
  1–3 digits → phone tails ending so (few people type that; it reads the user's rows);
- Latin letters → the start of the pinyin initials (`zs` → 张三) or of the full pinyin
  (`zhangs` → 张三), a Latin name being its own pinyin (`mary` → Mary王);
- anything else (Chinese) → the start of the name (`张` or `张三` → 张三), as the pinyin is
  matched from its start: `name LIKE '张三%'` an index answers (a pattern_ops index on
  PostgreSQL), where `LIKE '%张三%'` reads every row in reach — a whole city's for a district.
"""

from __future__ import annotations

from django.db.models import Q

from .crypto import blind_index

ID_CHARS = frozenset("0123456789X")
PHONE_TAIL = 4


def looks_like_id(text: str) -> bool:
    return len(text) == 18 and set(text.upper()) <= ID_CHARS


def prefix_q(field: str, key: str, max_length: int) -> Q:
    """`field` starts with `key`, for columns that hold only a–z (lib.pinyin.search_keys).

    Written as a range rather than LIKE 'key%': a plain B-tree answers a range on SQLite and on
    PostgreSQL under any collation, while LIKE 'key%' uses one only under the C collation or with
    a pattern_ops index. Every a–z string that starts with `key` (and fits the column) lies
    between `key` and `key` padded with "z" to the column's length, and no other string does."""
    return Q(**{f"{field}__gte": key, f"{field}__lte": key + "z" * max(max_length - len(key), 0)})


def person_q(text: str, *, initials_length: int, pinyin_length: int) -> Q | None:
    """The condition a search text puts on a person's row (None: no text, no condition).
    `initials_length`/`pinyin_length`: the max_length of the model's name_initials/name_pinyin."""
    text = (text or "").strip()
    if not text:
        return None
    if looks_like_id(text):
        return Q(id_hash=blind_index(text.upper()))
    if text.isdigit() and len(text) == PHONE_TAIL:
        return Q(phone_tail=text)
    if text.isdigit() and len(text) < PHONE_TAIL:
        return Q(phone_tail__endswith=text)
    if text.isascii() and text.isalpha():
        key = text.lower()
        return prefix_q("name_initials", key, initials_length) | prefix_q("name_pinyin", key, pinyin_length)
    return Q(name__startswith=text)
