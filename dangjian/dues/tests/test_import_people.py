"""Payment lists name payers the way rosters do: a whole ID, old 15-digit ones too, and the GBK
CSV an Alipay or bank export is saved in."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.dues.importing import MATCHED, parse_tail
from dangjian.lib.idnumbers import make_id

from .test_import import plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world, assess):
    # A 15-digit ID was issued before 2000: its holder was born in the 1900s (the factory's birth
    # dates run to 2008, and which one a member gets depends on the tests run before).
    world.member_a.id_number = make_id(date(1966, 5, 3), "男", "370102")
    world.member_a.save()
    assess(world.member_a, 4000)
    return world


def alipay_gbk(rows: list[str]) -> bytes:
    head = ["支付宝交易记录明细查询", "交易号,交易创建时间,交易对方,商品名称,金额（元）,收/支,身份证号"]
    return "\n".join(head + rows).encode("gbk")


def test_a_15_digit_id_gives_the_tail_of_its_18_digit_form():
    id18 = make_id(date(1966, 5, 3), "男", "370102")
    assert parse_tail(id18[:6] + id18[8:17]) == id18[-6:]


def test_an_invalid_15_digit_id_is_refused_with_its_reason():
    with pytest.raises(ValueError, match="身份证号“370102661305001”无效：出生日期无效：19661305"):
        parse_tail("370102661305001")


def test_it_matches_a_payer_by_a_15_digit_id_in_a_gbk_csv(setup):
    id18 = setup.member_a.id_number
    plan = plan_for(setup, alipay_gbk([f"2023071200001,2023-07-12 10:00:00,张三,党费,40.00,收入,{id18[:6] + id18[8:17]}"]),
                    name="alipay.csv")
    [row] = plan.rows
    assert (row.status, row.member, row.amount) == (MATCHED, setup.member_a, Decimal("40.00"))
