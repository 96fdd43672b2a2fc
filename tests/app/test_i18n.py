"""Translations: complete catalogs in Korean and English, compiled files in step, locale choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.i18n import (
    SUPPORTED_LOCALES,
    TEMPLATES_DIR,
    TRANSLATIONS_DIR,
    choose_locale,
    get_translations,
)
from app.models import Channel, ProductKind, Role, Site, ValueTier
from app.pages import PAGES
from app.testing import create_user, login, make_client, make_settings


def catalog(locale: str, suffix: str = "po"):  # type: ignore[no-untyped-def]
    path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"messages.{suffix}"
    with path.open("rb") as f:
        return read_po(f, locale=locale) if suffix == "po" else read_mo(f)


def msgids(locale: str) -> set[str]:
    return {str(m.id) for m in catalog(locale) if m.id}


def template_msgids() -> set[str]:
    found = extract_from_dir(
        str(TEMPLATES_DIR),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    return {msg if isinstance(msg, str) else msg[0] for _file, _line, msg, _comments, _ctx in found}


def test_both_catalogs_have_the_same_messages_all_translated() -> None:
    assert set(SUPPORTED_LOCALES) == {"ko", "en"}
    assert msgids("ko") == msgids("en")
    for locale in SUPPORTED_LOCALES:
        for message in catalog(locale):
            if not message.id:
                continue
            assert message.string, f"{locale}: {message.id!r} has no translation"
            assert not message.fuzzy, f"{locale}: {message.id!r} is fuzzy"


def test_compiled_catalogs_match_their_sources() -> None:
    """The committed .mo files were compiled from the current .po files."""
    for locale in SUPPORTED_LOCALES:
        source = {str(m.id): m.string for m in catalog(locale) if m.id}
        compiled = {str(m.id): m.string for m in catalog(locale, "mo") if m.id}
        assert compiled == source, f"run: pybabel compile -d {TRANSLATIONS_DIR} -D messages"


def test_every_template_string_is_in_the_catalog() -> None:
    missing = template_msgids() - msgids("ko")
    assert not missing, f"add to both messages.po files and compile: {sorted(missing)}"


def test_values_shown_through_gettext_are_in_the_catalog() -> None:
    dynamic = {label for _href, label, _role in PAGES}
    for enum in (Role, Site, ValueTier, ProductKind, Channel):
        dynamic |= {member.value for member in enum}
    assert dynamic - msgids("ko") == set()


def test_lookup_and_fallback() -> None:
    assert get_translations("ko").gettext("Log in") == "로그인"
    assert get_translations("en").gettext("Log in") == "Log in"
    assert get_translations("en").gettext("private_banker") == "Private banker"
    assert get_translations("xx").gettext("Log in") == "Log in"


def test_python_format_placeholders_survive_translation() -> None:
    for locale in SUPPORTED_LOCALES:
        for message in catalog(locale):
            if message.id and "%(" in str(message.id):
                for name in re.findall(r"%\((\w+)\)s", str(message.id)):
                    assert f"%({name})s" in message.string, (locale, message.id)


class _Conn:
    def __init__(self, cookies: dict[str, str]) -> None:
        self.cookies = cookies


class _User:
    def __init__(self, locale: str) -> None:
        self.locale = locale


def test_choose_locale_user_then_cookie_then_default() -> None:
    assert choose_locale(_Conn({"contactops_locale": "en"}), _User("ko"), "ko") == "ko"  # type: ignore[arg-type]
    assert choose_locale(_Conn({"contactops_locale": "en"}), None, "ko") == "en"  # type: ignore[arg-type]
    assert choose_locale(_Conn({"contactops_locale": "zz"}), None, "en") == "en"  # type: ignore[arg-type]
    assert choose_locale(_Conn({}), _User("zz"), "zz") == "ko"  # type: ignore[arg-type]


def test_default_locale_setting(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url, default_locale="en")) as client:
        assert '<html lang="en">' in client.get("/login").text


def test_user_switch_through_the_api_changes_the_pages(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "agent01", "agent")
        login(client, "agent01")
        assert "상담원 콘솔" in client.get("/agent").text
        assert client.post("/api/me/locale", json={"locale": "en"}).status_code == 200
        page = client.get("/agent").text
        assert "Agent console" in page and "상담원 콘솔" not in page


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog_files_exist(locale: str) -> None:
    folder = Path(TRANSLATIONS_DIR) / locale / "LC_MESSAGES"
    assert (folder / "messages.po").is_file() and (folder / "messages.mo").is_file()


def test_times_are_shown_on_the_center_clock() -> None:
    from datetime import UTC, datetime

    from app.i18n import center_time

    assert center_time(datetime(2026, 11, 25, 15, 30, tzinfo=UTC)) == "2026-11-26 00:30"
    assert center_time(datetime(2026, 11, 25, 15, 30)) == "2026-11-26 00:30"  # naive = UTC
    assert center_time(None) == ""
