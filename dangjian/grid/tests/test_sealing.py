"""Bulk sealing makes ordinary Fernet tokens that lib.crypto decrypts."""

from hypothesis import given
from hypothesis import strategies as st

from dangjian.grid.sealing import Sealed, seal_many
from dangjian.lib.crypto import decrypt


@given(st.lists(st.text(max_size=60), max_size=20))
def test_it_round_trips_through_lib_crypto(values):
    tokens = seal_many(values)
    assert [decrypt(t) if t else "" for t in tokens] == values


def test_it_uses_a_fresh_iv_for_equal_values():
    a, b = seal_many(["110101196503011234", "110101196503011234"])
    assert a != b and isinstance(a, Sealed)
