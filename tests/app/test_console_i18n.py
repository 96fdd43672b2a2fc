"""The agent console in Korean: every code and word its scripts show is translated.

The page hands the scripts their words (``#console-labels``, from the Babel catalogs:
:mod:`app.pages.console_labels`); these tests fail on a code (value tier, lifecycle stage,
segment, product, channel, life event, phone kind, changed field, scheduled activity) or a
label left in English in the Korean console, as ``test_wallboard_i18n`` does for the wallboard.
"""

from __future__ import annotations

import json
import re

import pytest

from app.i18n import get_translations
from app.models import LIFE_EVENT_KINDS, Channel, LifecycleStage, ProductKind, ValueTier
from app.pages.console_labels import CODE_GROUPS, console_msgids
from app.testing import create_user, login, make_client, make_settings
from tests.app.test_i18n import msgids

#: words a Korean bank's staff write in Latin letters (private banker, quality assurance,
#: the VIP queue)
SAME_IN_KOREAN = {"PB", "QA", "VIP"}


def _labels(page: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script type="application/json" id="console-labels">(.*?)</script>',
                      page, re.DOTALL)
    assert found, "the page hands the scripts their labels"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_every_console_message_is_in_both_catalogs_and_korean() -> None:
    missing = console_msgids() - msgids("ko")
    assert not missing, f"add to both messages.po files and compile: {sorted(missing)}"
    assert not console_msgids() - msgids("en")
    ko, en = get_translations("ko"), get_translations("en")
    for msgid in sorted(console_msgids()):
        assert ko.gettext(msgid) != msgid, f"{msgid!r} is not translated in Korean"
        assert ":" not in en.gettext(msgid) or "%(" in msgid, f"{msgid!r}: no English text"


def test_every_customer_code_has_a_group() -> None:
    assert set(CODE_GROUPS["tier"]) == set(ValueTier)
    assert set(CODE_GROUPS["stage"]) == set(LifecycleStage)
    assert set(CODE_GROUPS["product"]) == set(ProductKind)
    assert set(CODE_GROUPS["channel"]) == set(Channel)
    assert CODE_GROUPS["life_event"] == LIFE_EVENT_KINDS


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_the_console_hands_its_scripts_every_word(sqlite_url: str, locale: str) -> None:
    with make_client(make_settings(sqlite_url, default_locale=locale)) as client:
        create_user(client.app, "agent01", "agent")
        login(client, "agent01")
        assert client.post("/api/me/locale", json={"locale": locale}).status_code == 200
        page = client.get("/agent").text
    labels = _labels(page)
    assert labels["locale"] == locale and labels["time_zone"] == "Asia/Seoul"
    assert 'src="/static/agent_day.js"' in page and 'src="/static/agent_profile.js"' in page
    if locale == "en":
        assert labels["codes"]["mature"] == "mature" and labels["stage"]["churn_risk"] == "churn risk"
        return
    assert labels["codes"]["deposits"] == "예금"
    assert labels["codes"]["mature"] == "성숙" and labels["life_event"]["child_wedding"] == "자녀 결혼"
    untranslated = []
    for table, entries in labels.items():
        if not isinstance(entries, dict):
            continue
        for key, text in entries.items():
            bare = re.sub(r"%\(\w+\)s", "", text)
            for word in SAME_IN_KOREAN:
                bare = bare.replace(word, "")
            if re.search("[A-Za-z]{2}", bare):  # English (or a bare code) in the Korean console
                untranslated.append(f"{table}.{key} = {text!r}")
    assert not untranslated, untranslated
