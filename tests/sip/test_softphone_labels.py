"""The softphone's words: every failure cause the vendored JsSIP can give has a label."""

from __future__ import annotations

import re
from pathlib import Path

from app.i18n import get_translations
from app.pages.softphone_labels import SIP_CAUSES, SOFTPHONE_UI

JSSIP = Path(__file__).parents[2] / "app" / "static" / "vendor" / "jssip" / "jssip.min.js"


def _jssip_causes() -> set[str]:
    """The values of ``JsSIP.C.causes`` as the vendored build spells them."""
    found = re.search(r"causes:\{([^}]*)\}", JSSIP.read_text(encoding="utf-8"))
    assert found, "jssip.min.js no longer has its causes table: look at JsSIP.C.causes"
    return set(re.findall(r':"([^"]+)"', found.group(1)))


def test_every_jssip_cause_has_a_label() -> None:
    causes = _jssip_causes()
    assert {"Rejected", "Busy", "Unavailable", "Not Found", "Authentication Error",
            "Connection Error", "Request Timeout", "User Denied Media Access"} <= causes
    assert causes == set(SIP_CAUSES), f"label these causes: {sorted(causes - set(SIP_CAUSES))}"
    for cause, msgid in SIP_CAUSES.items():
        assert SOFTPHONE_UI[f"cause:{cause}"] == msgid


def test_causes_read_in_korean_and_english_with_a_generic_fallback() -> None:
    ko, en = get_translations("ko").gettext, get_translations("en").gettext
    assert ko(SIP_CAUSES["Busy"]) == "상대방 통화 중" and en(SIP_CAUSES["Busy"]) == "the line is busy"
    texts = [ko(m) for m in SIP_CAUSES.values()]
    assert len(set(texts)) == len(texts), "two causes read the same in Korean"
    for text in texts:
        assert not re.search("[A-Za-z]{2}", text), text
    assert ko(SOFTPHONE_UI["sipCauseUnknown"]) % {"cause": "Foo"} == "전화 오류 (Foo)"
