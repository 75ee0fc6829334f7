import base64
import io
import zipfile

from dangjian.reports.protection import (
    check_password,
    legacy_key,
    protect_docx,
    protection_hash,
    read_protection,
)
from dangjian.reports.rendering import BUILTIN_TEMPLATE

# A published vector (password "password", this salt, 100 000 rounds of SHA-512) that another,
# independent implementation of Word's algorithm produces.
SALT = "ouz9XiaimAE4pO6OOtk28g=="
HASH = "i0n8VS6iu1JkFdcyinogmBaJ/eQs0vwizOKv38ou83lAPksn1Vm9gtXOw6QpNAU8qVagVXcTZl+q/6tOiYQK0g=="


def test_it_hashes_a_password_as_word_does():
    assert base64.b64encode(protection_hash("password", base64.b64decode(SALT))).decode() == HASH


def test_it_takes_the_high_byte_of_a_character_whose_low_byte_is_zero():
    # U+4E00 (一) has low byte 0x00 → the legacy key uses 0x4E, as for "N".
    assert legacy_key("一") == legacy_key("N")


def test_it_writes_read_only_enforcement_with_a_salted_sha512_hash():
    data = protect_docx(BUILTIN_TEMPLATE.read_bytes(), "wsx2023")
    prot = read_protection(data)
    assert prot["edit"] == "readOnly" and prot["enforcement"] == "1"
    assert prot["cryptAlgorithmSid"] == "14" and prot["cryptSpinCount"] == "100000"
    assert check_password("wsx2023", hash_b64=prot["hash"], salt_b64=prot["salt"], spin_count=100000)
    assert not check_password("wsx2024", hash_b64=prot["hash"], salt_b64=prot["salt"], spin_count=100000)


def test_it_keeps_the_password_out_of_the_file():
    data = protect_docx(BUILTIN_TEMPLATE.read_bytes(), "wsx2023")
    z = zipfile.ZipFile(io.BytesIO(data))
    assert not any(b"wsx2023" in z.read(n) for n in z.namelist())


def test_it_protects_without_a_password():
    prot = read_protection(protect_docx(BUILTIN_TEMPLATE.read_bytes()))
    assert prot == {"edit": "readOnly", "enforcement": "1"}
