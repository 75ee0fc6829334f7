"""Bulk sealing makes ordinary Fernet tokens that lib.crypto decrypts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.grid.sealing import Sealed, open_many, seal_many
from dangjian.lib.crypto import decrypt, encrypt


@given(st.lists(st.text(max_size=60), max_size=20))
def test_it_round_trips_through_lib_crypto(values):
    tokens = seal_many(values)
    assert [decrypt(t) if t else "" for t in tokens] == values


def test_it_uses_a_fresh_iv_for_equal_values():
    a, b = seal_many(["110101196503011234", "110101196503011234"])
    assert a != b and isinstance(a, Sealed)


@given(st.lists(st.text(max_size=60), max_size=20))
def test_it_opens_what_lib_crypto_and_seal_many_made(values):
    from_crypto = [encrypt(v) if v else "" for v in values]
    assert open_many(from_crypto) == open_many(seal_many(values)) == values


def test_it_reads_none_and_empty_as_empty():
    assert open_many([None, "", seal_many(["13800138000"])[0]]) == ["", "", "13800138000"]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1],  # the HMAC no longer matches
        lambda t: t[:30] + ("A" if t[30] != "A" else "B") + t[31:],  # the IV was altered
        lambda t: "not a token",
        lambda t: t[:20],
    ],
)
def test_it_refuses_an_altered_token_as_lib_crypto_does(spoil):
    token = spoil(encrypt("110101196503011234"))
    with pytest.raises(ValueError, match="解密失败"):
        decrypt(token)
    with pytest.raises(ValueError, match="解密失败"):
        open_many([token])
