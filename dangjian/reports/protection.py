"""Word's own editing restriction (限制编辑) for a finalised report: read-only, optional password.

The password is never stored: only a salted, iterated SHA-512 hash goes into the .docx, in the
form Word writes itself (ECMA-376 transitional `w:documentProtection` with `w:cryptProviderType`,
`w:cryptAlgorithmSid="14"`, `w:cryptSpinCount`, `w:hash`, `w:salt`). That legacy form is the one
LibreOffice's DOCX import reads (writerfilter DocumentProtection: cryptAlgorithmSid/hash/salt);
the newer `w:algorithmName/w:hashValue` form is not read by LibreOffice 7.x.

Hash (as Word computes it, MS-OI29500 note on ECMA-376 Part 4 §2.15.1.28): the password is first
reduced to the 32-bit legacy key of Part 4 (a high word from an initial-code table and an XOR
matrix, a low word from a rotate-and-XOR verifier); the key's four bytes, little-endian, written
as upper-case hex, encoded UTF-16LE, are hashed with the salt prepended; then the hash is
re-hashed `spin_count` times with the 4-byte little-endian iteration number appended.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SPIN_COUNT = 100_000
SHA512_SID = 14

_INITIAL_CODE = (0xE1F0, 0x1D0F, 0xCC9C, 0x84C0, 0x110C, 0x0E10, 0xF1CE, 0x313E,
                 0x1872, 0xE139, 0xD40F, 0x84F9, 0x280C, 0xA96A, 0x4EC3)
# Rows for the 15th-from-last character down to the last one; columns are bits 0–6.
_MATRIX = (
    (0xAEFC, 0x4DD9, 0x9BB2, 0x2745, 0x4E8A, 0x9D14, 0x2A09),
    (0x7B61, 0xF6C2, 0xFDA5, 0xEB6B, 0xC6F7, 0x9DCF, 0x2BBF),
    (0x4563, 0x8AC6, 0x05AD, 0x0B5A, 0x16B4, 0x2D68, 0x5AD0),
    (0x0375, 0x06EA, 0x0DD4, 0x1BA8, 0x3750, 0x6EA0, 0xDD40),
    (0xD849, 0xA0B3, 0x5147, 0xA28E, 0x553D, 0xAA7A, 0x44D5),
    (0x6F45, 0xDE8A, 0xAD35, 0x4A4B, 0x9496, 0x390D, 0x721A),
    (0xEB23, 0xC667, 0x9CEF, 0x29FF, 0x53FE, 0xA7FC, 0x5FD9),
    (0x47D3, 0x8FA6, 0x0F6D, 0x1EDA, 0x3DB4, 0x7B68, 0xF6D0),
    (0xB861, 0x60E3, 0xC1C6, 0x93AD, 0x377B, 0x6EF6, 0xDDEC),
    (0x45A0, 0x8B40, 0x06A1, 0x0D42, 0x1A84, 0x3508, 0x6A10),
    (0xAA51, 0x4483, 0x8906, 0x022D, 0x045A, 0x08B4, 0x1168),
    (0x76B4, 0xED68, 0xCAF1, 0x85C3, 0x1BA7, 0x374E, 0x6E9C),
    (0x3730, 0x6E60, 0xDCC0, 0xA9A1, 0x4363, 0x86C6, 0x1DAD),
    (0x3331, 0x6662, 0xCCC4, 0x89A9, 0x0373, 0x06E6, 0x0DCC),
    (0x1021, 0x2042, 0x4084, 0x8108, 0x1231, 0x2462, 0x48C4),
)


def legacy_key(password: str) -> int:
    """The 32-bit key of ECMA-376 Part 4: one byte per UTF-16 unit (low byte, or high if low is 0)."""
    units = password.encode("utf-16-le")
    data = []
    for i in range(0, min(len(units), 30), 2):
        low, high = units[i], units[i + 1]
        data.append(low or high)
    if not data:
        return 0
    n = len(data)
    high_word = _INITIAL_CODE[n - 1]
    for i, byte in enumerate(data):
        row = _MATRIX[15 - n + i]
        for bit in range(7):
            if byte & (1 << bit):
                high_word ^= row[bit]

    def rotate(x: int) -> int:
        return ((x >> 14) & 1) | ((x << 1) & 0x7FFF)

    low_word = 0
    for byte in reversed(data):
        low_word = rotate(low_word) ^ byte
    low_word = rotate(low_word) ^ n ^ 0xCE4B
    return (high_word << 16) | low_word


def protection_hash(password: str, salt: bytes, spin_count: int = SPIN_COUNT) -> bytes:
    key_hex = legacy_key(password).to_bytes(4, "little").hex().upper()
    digest = hashlib.sha512(salt + key_hex.encode("utf-16-le")).digest()
    for i in range(spin_count):
        digest = hashlib.sha512(digest + i.to_bytes(4, "little")).digest()
    return digest


def check_password(password: str, *, hash_b64: str, salt_b64: str, spin_count: int) -> bool:
    return protection_hash(password, base64.b64decode(salt_b64), spin_count) == base64.b64decode(hash_b64)


def protection_element(password: str = "", *, salt: bytes | None = None, spin_count: int = SPIN_COUNT) -> etree._Element:
    """`<w:documentProtection w:edit="readOnly" w:enforcement="1" …/>`, hashed when a password is given."""
    el = etree.Element(f"{{{W}}}documentProtection", nsmap={"w": W})
    el.set(f"{{{W}}}edit", "readOnly")
    el.set(f"{{{W}}}enforcement", "1")
    if password:
        salt = salt if salt is not None else os.urandom(16)
        for name, value in (
            ("cryptProviderType", "rsaAES"), ("cryptAlgorithmClass", "hash"), ("cryptAlgorithmType", "typeAny"),
            ("cryptAlgorithmSid", str(SHA512_SID)), ("cryptSpinCount", str(spin_count)),
            ("hash", base64.b64encode(protection_hash(password, salt, spin_count)).decode()),
            ("salt", base64.b64encode(salt).decode()),
        ):
            el.set(f"{{{W}}}{name}", value)
    return el


# Children of w:settings that must come before w:documentProtection (CT_Settings sequence).
_BEFORE_PROTECTION = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                      "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                      "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
                      "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
                      "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
                      "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate",
                      "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
                      "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting")


def protect_docx(docx: bytes, password: str = "") -> bytes:
    """The same .docx with Word's read-only editing restriction enforced (password optional)."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    root = etree.fromstring(src.read("word/settings.xml"))
    for old in root.findall(f"{{{W}}}documentProtection"):
        root.remove(old)
    element = protection_element(password)
    position = 0
    for i, child in enumerate(root):
        if isinstance(child.tag, str) and etree.QName(child).localname in _BEFORE_PROTECTION:
            position = i + 1
    root.insert(position, element)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/settings.xml":
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    return out.getvalue()


def read_protection(docx: bytes) -> dict[str, str] | None:
    """The documentProtection attributes of a .docx (local names), or None."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/settings.xml"))
    el = root.find(f"{{{W}}}documentProtection")
    if el is None:
        return None
    return {etree.QName(k).localname: v for k, v in el.attrib.items()}
