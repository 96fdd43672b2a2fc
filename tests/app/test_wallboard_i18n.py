"""The wallboard in Korean: every text and every code a person reads is translated (issue 11).

The page hands the script all its words (``#wallboard-labels``, from the Babel catalogs);
these tests fail on a message left in English in the Korean UI, and on a code (state,
reason, event type, queue, level, service-level definition) with no translation.
"""

from __future__ import annotations

import json
import re

import pytest

from app.i18n import get_translations
from app.pages.wallboard import wallboard_msgids
from app.testing import create_user, login, make_client, make_settings
from tests.app.test_i18n import msgids

#: msgids whose Korean is rightly the same text (a name, an abbreviation)
SAME_IN_KOREAN = {"VIP"}


def test_every_wallboard_message_has_a_korean_translation() -> None:
    missing = wallboard_msgids() - msgids("ko")
    assert not missing, f"add to both messages.po files and compile: {sorted(missing)}"
    ko, en = get_translations("ko"), get_translations("en")
    for msgid in sorted(wallboard_msgids() - SAME_IN_KOREAN):
        assert ko.gettext(msgid) != msgid, f"{msgid!r} is not translated in Korean"
        assert ko.gettext(msgid) != en.gettext(msgid), f"{msgid!r}: Korean = English"
        assert not msgid.startswith(("event:", "sl:")) or en.gettext(msgid) != msgid


def test_the_demo_note_is_translated() -> None:
    ko = get_translations("ko").gettext("demo: calls follow the %(hour)s pattern")
    assert "%(hour)s" in ko and "demo" not in ko


def _labels(page: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script type="application/json" id="wallboard-labels">(.*?)</script>',
                      page, re.DOTALL)
    assert found, "the page hands the script its labels"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


@pytest.mark.parametrize("wall", [False, True])
def test_the_korean_page_shows_no_english_text(sqlite_url: str, wall: bool) -> None:
    with make_client(make_settings(sqlite_url, default_locale="ko")) as client:
        create_user(client.app, "sup", "supervisor")
        login(client, "sup")
        page = client.get("/wallboard" + ("?wall=1" if wall else "")).text
    labels = _labels(page)
    assert labels["locale"] == "ko" and labels["time_zone"] == "Asia/Seoul"
    untranslated = []
    for table, entries in labels.items():
        if not isinstance(entries, dict):
            continue
        for key, text in entries.items():
            bare = re.sub(r"%\(\w+\)s", "", text)
            for word in SAME_IN_KOREAN:
                bare = bare.replace(word, "")
            if re.search("[A-Za-z]{2}", bare):  # English left in the Korean UI
                untranslated.append(f"{table}.{key} = {text!r}")
    assert not untranslated, untranslated
    assert ("header.topbar { display: none; }" in page) is wall  # big screen: no navigation
    assert ('data-wall="1"' in page) is wall
    assert "월보드" in page


def test_the_english_page_has_its_words(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url, default_locale="en")) as client:
        create_user(client.app, "sup", "supervisor")
        login(client, "sup")
        assert client.post("/api/me/locale", json={"locale": "en"}).status_code == 200
        labels = _labels(client.get("/wallboard").text)
    assert labels["events"]["contact_arrived"] == "call arrived"
    assert labels["states"]["not_ready"] != "not_ready"
    assert labels["queues"]["deposits"] == "Deposits"
