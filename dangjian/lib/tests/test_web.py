"""The one error text views show: a service's ValidationError or an invalid form, in Chinese."""

from django import forms
from django.core.exceptions import ValidationError

from dangjian.lib.web import error_text


class AmountForm(forms.Form):
    amount = forms.DecimalField(label="金额", error_messages={"invalid": "不是数字"})
    note = forms.CharField(label="备注", required=False, max_length=2, error_messages={"max_length": "太长"})

    def clean(self):
        raise ValidationError("请先核定交纳基数")


def test_it_names_each_invalid_field_by_its_label():
    form = AmountForm({"amount": "x", "note": "太长了"})
    assert error_text(form) == "金额：不是数字；备注：太长；请先核定交纳基数"


def test_it_joins_a_services_messages_field_by_field():
    exc = ValidationError({"amount": ["交纳金额应大于0"], "__all__": ["没有需要交纳的月份"]})
    assert error_text(exc) == "交纳金额应大于0；没有需要交纳的月份"


def test_it_shows_a_plain_message_as_it_is():
    assert error_text(ValidationError("冲正必须写明原因")) == "冲正必须写明原因"
