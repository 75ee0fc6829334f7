import hmac

from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.crypto import hmac_sha256


@given(key=st.binary(max_size=32) | st.binary(min_size=60, max_size=140), data=st.binary(max_size=300))
def test_hmac_sha256_gives_the_bytes_the_hmac_module_gives(key, data):
    # Keys longer than SHA-256's 64-byte block are hashed first; empty keys and data are valid.
    assert hmac_sha256(key, data) == hmac.digest(key, data, "sha256")


def test_hmac_sha256_does_not_carry_one_message_into_the_next():
    key = b"k" * 32
    first = hmac_sha256(key, b"370102196503011234")
    hmac_sha256(key, b"something else")
    assert hmac_sha256(key, b"370102196503011234") == first
