"""Phone numbers in E.164 form, as stored in ``CustomerPhone.number``.

Korean numbers are written many ways (``010-1234-5678``, ``+82 10 1234 5678``,
``+82 (0)10 1234 5678``, ``0082-10-...``); the screen-pop lookup normalises them all to
``+821012345678`` so it can use the index on ``CustomerPhone.number`` with an equality.
Input is first NFKC-normalised (Unicode TR #15), so full-width digits and punctuation from
Korean/Japanese input methods (``０１０－１２３４``) become ASCII; any digit that is still
not ASCII 0-9 after that (e.g. Arabic-Indic) is refused.
"""

from __future__ import annotations

import re
import unicodedata

KOREA_COUNTRY_CODE = "82"
_SEPARATORS = re.compile(r"[\s\-.()/]")
#: ITU-T E.164: at most 15 digits, no leading 0; ASCII digits only
_E164 = re.compile(r"\+[1-9][0-9]{7,14}", re.ASCII)


def normalize_phone(raw: str, country_code: str = KOREA_COUNTRY_CODE) -> str:
    """Return ``raw`` in E.164 form; a national number (leading 0) is taken as Korean.

    Raises ``ValueError`` naming the input when it cannot be a phone number.
    """
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw).strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("0"):
        text = "+" + country_code + text[1:]
    elif not text.startswith("+") and text.startswith(country_code) and len(text) >= 10:
        text = "+" + text
    # "+82 (0)10 ..." keeps the trunk prefix 0 after the country code: drop it
    if text.startswith("+" + country_code + "0"):
        text = "+" + country_code + text[len(country_code) + 2 :]
    if not _E164.fullmatch(text):
        raise ValueError(f"not a phone number: {raw!r} (expected e.g. 010-1234-5678 or +82...)")
    return text
