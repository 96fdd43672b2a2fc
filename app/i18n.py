"""UI text through Babel catalogs and the jinja2 i18n extension (Korean by default, English).

Catalogs live in ``app/translations/<locale>/LC_MESSAGES/messages.{po,mo}``; the ``.mo``
files are compiled from the ``.po`` files and committed::

    pybabel compile -d app/translations -D messages

Templates call ``{{ _("Log in") }}``; the locale comes from the template context variable
``locale`` (set by :func:`app.pages.render`), so one jinja environment serves every user.
A user's locale is ``User.locale``; anonymous visitors get the ``contactops_locale``
cookie or ``settings.default_locale``.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from fastapi.requests import HTTPConnection
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from app.models import User
from app.queries import CENTER_TZ

SUPPORTED_LOCALES: tuple[str, ...] = ("ko", "en")
LOCALE_NAMES: dict[str, str] = {"ko": "한국어", "en": "English"}
LOCALE_COOKIE = "contactops_locale"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@functools.cache
def get_translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale`` (a pass-through for unknown locales)."""
    if locale not in SUPPORTED_LOCALES:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


def gettext(locale: str, message: str, **variables: Any) -> str:
    text = get_translations(locale).gettext(message)
    return text % variables if variables else text


def choose_locale(conn: HTTPConnection, user: User | None, default: str) -> str:
    """The user's locale, else the locale cookie, else the default."""
    for candidate in (user.locale if user else None, conn.cookies.get(LOCALE_COOKIE), default):
        if candidate in SUPPORTED_LOCALES:
            return candidate
    return SUPPORTED_LOCALES[0]


def _locale_of(context: Context) -> str:
    locale = context.get("locale")
    return locale if isinstance(locale, str) else SUPPORTED_LOCALES[0]


@pass_context
def _ctx_gettext(context: Context, message: str) -> str:
    return get_translations(_locale_of(context)).gettext(message)


@pass_context
def _ctx_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return get_translations(_locale_of(context)).ngettext(singular, plural, n)


def center_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Jinja filter ``center_time``: a stored UTC time shown on the center's clock (KST)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(CENTER_TZ).strftime(fmt)


def make_templates(directory: Path = TEMPLATES_DIR) -> Jinja2Templates:
    """The page templates with the i18n extension (new-style gettext, autoescaped)."""
    env = Environment(
        loader=FileSystemLoader(str(directory)),
        autoescape=select_autoescape(),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _ctx_gettext, _ctx_ngettext, newstyle=True
    )
    env.globals["LOCALE_NAMES"] = LOCALE_NAMES
    env.filters["center_time"] = center_time
    return Jinja2Templates(env=env)
