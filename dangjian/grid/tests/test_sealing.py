"""Bulk sealing makes ordinary Fernet tokens that lib.crypto decrypts."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.grid.sealing import _BLOCK, _IV_AT, Sealed, open_many, seal_many
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


def _flip_byte(token: str, at: int) -> str:
    """The token with one bit of its decoded byte `at` changed. (Changing a base64 character is not
    enough: the last one before the padding carries bits that decoding drops, so whether the token
    changes would depend on the random IV.)"""
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[at] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: _flip_byte(t, -1),  # the HMAC no longer matches
        lambda t: _flip_byte(t, _IV_AT),  # the IV was altered
        lambda t: _flip_byte(t, _IV_AT + _BLOCK),  # the ciphertext was altered
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
