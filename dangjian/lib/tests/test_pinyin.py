import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.pinyin import full_pinyin, initials, search_keys


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", "zs"),
        ("张 三", "zs"),
        ("曾小明", "zxm"),
        ("单田芳", "stf"),
        ("解晓东", "xxd"),
        ("尉迟恭", "ycg"),
    ],
)
def test_it_gives_initials_with_surname_readings(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_it_keeps_ascii_letters() -> None:
    assert initials("Mary王") == "maryw"


def test_it_drops_punctuation_in_minority_names() -> None:
    assert initials("阿依古丽·买买提") == "ayglmmt"


def test_it_spells_full_pinyin() -> None:
    assert full_pinyin("张三") == "zhangsan"
    assert full_pinyin("吕布") == "lvbu"
    assert full_pinyin("曾国藩") == "zengguofan"


def test_it_returns_nothing_for_nothing() -> None:
    assert initials("") == full_pinyin("") == ""


def test_it_reads_the_surname_as_a_surname_not_as_part_of_a_word() -> None:
    assert full_pinyin("曾经") == "zengjing"
    assert initials("长孙无忌") == "zswj"


@given(st.text(st.sampled_from("张曾单于长孙欧阳乐重行 ·Mary王a1"), max_size=8))
def test_search_keys_are_initials_and_full_pinyin(name: str) -> None:
    assert search_keys(name) == (initials(name), full_pinyin(name))
