"""Branch and grid names as clerks write them: one normaliser for both."""

import pytest

from dangjian.lib.names import NameIndex, cn_to_int, name_key


@pytest.mark.parametrize("written", ["三支部", "第三支部", "第3党支部", "第三党支部", "3支部", "第 ３ 党支部", "03支部"])
def test_it_reads_every_spelling_of_a_branch_as_one(written):
    assert name_key(written) == ("3", "支部")


@pytest.mark.parametrize(("written", "key"), [("一网格", ("1", "网格")), ("第1网格", ("1", "网格")),
                                              ("第十二网格", ("12", "网格")), ("第一党小组", ("1", "小组")),
                                              ("和平社区党总支", ("和平社区", "总支"))])
def test_it_splits_the_kind_word_off(written, key):
    assert name_key(written) == key


@pytest.mark.parametrize(("text", "number"), [("三", 3), ("十", 10), ("十二", 12), ("二十三", 23), ("一百零五", 105),
                                              ("一二", 12)])
def test_it_reads_chinese_numerals(text, number):
    assert cn_to_int(text) == number


UNITS = NameIndex([("branch_1", ["第一党支部"]), ("group_1", ["第一党小组", "第一党支部/第一党小组"]),
                   ("branch_3", ["第三党支部"]), ("branch_3b", ["光明第三党支部"])])


@pytest.mark.parametrize(("written", "found"), [
    ("三支部", ["branch_3"]), ("第3党支部", ["branch_3"]), ("一小组", ["group_1"]), ("第一党支部", ["branch_1"]),
    ("第一党支部/第一党小组", ["group_1"]), ("1", ["branch_1", "group_1"]), ("五支部", []),
])
def test_it_finds_one_unit_none_or_several(written, found):
    assert UNITS.find(written) == found
