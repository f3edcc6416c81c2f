"""Languages: Babel catalogues (``translations/<locale>/LC_MESSAGES/messages.po``), the request's locale,
and gettext for templates and code.

The ``.po`` files are the only source: they are compiled in memory when the app starts, so there is no
``.mo`` to build or to forget. ``python -m portal.i18n`` re-extracts the messages from the templates and
the code and updates both catalogues (English ``msgstr`` are filled with the ``msgid``; Chinese ones are
left empty for a translator, and a test fails while any is empty).

The locale of a request is, in order: the user's explicit choice (a cookie, so it outlives the session),
the language of the user's county (kept in the session at sign-in), the portal's default.
"""

from __future__ import annotations

import contextvars
import copy
import datetime as dt
import io
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations
from litestar.types import ASGIApp, Receive, Scope, Send

from portal.settings import LOCALES

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
PACKAGE_DIR = Path(__file__).parent
LANGUAGE_COOKIE = "safecampus_lang"
#: The catalogue of messages used outside the page areas that keep their own (``<area>.po``).
COMMON = "messages"
#: Extraction: templates with Jinja's extractor, code with Python's; ``N_`` marks text translated later.
METHOD_MAP = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS_MAP = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("portal_locale", default=LOCALES[0])
_catalogues: dict[str, Translations] = {}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def normalise(value: str | None) -> str | None:
    """``zh-Hans``, ``zh_CN``, ``zh``, ``en-GB`` ... to one of :data:`LOCALES`, or ``None``."""
    if not value:
        return None
    tag = value.strip().replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_Hans"
    if tag.startswith("en"):
        return "en"
    return None


def load_catalogues(directory: Path = TRANSLATIONS_DIR) -> dict[str, Translations]:
    """Compile every locale's catalogues (``messages.po`` and one per page area) in memory, as one."""
    loaded: dict[str, Translations] = {}
    for locale in LOCALES:
        catalog = Catalog(locale=locale)
        for path in sorted((directory / locale / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as handle:
                for message in read_po(handle, locale=locale):
                    if (
                        message.id
                        and _translated(message)
                        and catalog.get(message.id, message.context) is None
                    ):
                        catalog[message.id] = message
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        loaded[locale] = Translations(buffer)
    return loaded


def install(directory: Path = TRANSLATIONS_DIR) -> None:
    _catalogues.clear()
    _catalogues.update(load_catalogues(directory))


def current_locale() -> str:
    return _current.get()


def use_locale(locale: str) -> contextvars.Token[str]:
    return _current.set(locale if locale in LOCALES else LOCALES[0])


def translate(message: str) -> str:
    """``message`` in the current language (Jinja's newstyle gettext formats the result itself)."""
    translations = _catalogues.get(_current.get())
    return translations.gettext(message) if translations is not None else message


def ntranslate(singular: str, plural: str, n: int) -> str:
    translations = _catalogues.get(_current.get())
    if translations is None:
        return singular if n == 1 else plural
    return translations.ngettext(singular, plural, n)


def gettext(message: str, **variables: Any) -> str:
    """Translate and fill ``%(name)s`` placeholders (for code; templates use ``_()``)."""
    text = translate(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    return ntranslate(singular, plural, n) % {"num": n, **variables}


_ = gettext


def html_lang(locale: str | None = None) -> str:
    """The BCP 47 tag for ``<html lang>``."""
    return (locale or current_locale()).replace("_", "-")


def format_timestamp(value: str | dt.datetime | None) -> str:
    """An API timestamp in the current language (medium date and short time)."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(moment, "medium", locale=Locale.parse(current_locale()))


def request_locale(scope: Scope, default: str) -> str:
    """The locale for a request: the chosen language, the county's language, the default."""
    cookie = ""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _sep, val = part.strip().partition("=")
                if key == LANGUAGE_COOKIE:
                    cookie = val
    session = scope.get("session")
    county = session.get("county_locale") if isinstance(session, dict) else None
    return normalise(cookie) or normalise(county) or default


def locale_middleware(default: str) -> Any:
    """ASGI middleware factory (after the session middleware): sets the request's locale."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            token = use_locale(request_locale(scope, default))
            try:
                await app(scope, receive, send)
            finally:
                _current.reset(token)

        return middleware

    return factory


# --- catalogue maintenance ------------------------------------------------------------------------------
def extract_messages() -> Catalog:
    """Every translatable message of the templates and the code."""
    # A fixed date keeps re-extraction from changing the files when no message changed.
    catalog = Catalog(project="SafeCampus portal", charset="utf-8", creation_date=dt.datetime(2026, 1, 1))
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE_DIR), METHOD_MAP, OPTIONS_MAP, KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogue_path(locale: str, name: str = COMMON) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"{name}.po"


def read_catalogue(locale: str, name: str = COMMON) -> Catalog:
    path = catalogue_path(locale, name)
    if not path.exists():
        return Catalog(locale=locale)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def catalogue_names() -> list[str]:
    """``messages`` and every page area that keeps a catalogue of its own (in any locale)."""
    areas = {path.stem for path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po")} - {COMMON}
    return [COMMON, *sorted(areas)]


def area_of(location: str, areas: Iterable[str]) -> str:
    """The catalogue a source file's messages go to: its page area's (``domain/<area>/``,
    ``templates/<area>/``) when that area keeps one, else the common ``messages``."""
    parts = Path(location).parts
    if len(parts) > 2 and parts[0] in ("domain", "templates") and parts[1] in areas:
        return parts[1]
    return COMMON


def split_by_catalogue(template: Catalog, names: Iterable[str]) -> dict[str, Catalog]:
    """The extracted messages per catalogue; a message used in several areas is in each of theirs."""
    names = list(names)
    areas = [name for name in names if name != COMMON]
    parts = {name: Catalog(charset="utf-8", creation_date=template.creation_date) for name in names}
    for message in template:
        if not message.id:
            continue
        for name in {area_of(filename, areas) for filename, _line in message.locations}:
            parts[name].add(
                message.id,
                None,
                [loc for loc in message.locations if area_of(loc[0], areas) == name],
                auto_comments=message.auto_comments,
                context=message.context,
            )
    return parts


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not message.fuzzy and all(strings)


def untranslated(catalog: Catalog, template: Catalog) -> list[str]:
    """Messages of ``template`` that ``catalog`` lacks, leaves empty or marks fuzzy."""
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        if found is None or not _translated(found):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def update_catalogues(locales: Iterable[str] = LOCALES, only: str | None = None) -> dict[str, list[str]]:
    """Re-extract and merge into the catalogues (all, or only the one named ``only``, creating it for a
    new page area); returns what is still untranslated, as ``"<locale>/<catalogue>"`` → messages."""
    names = catalogue_names()
    if only and only not in names:
        names.append(only)
    parts = split_by_catalogue(extract_messages(), names)
    report = {}
    for locale in locales:
        known: dict[
            tuple[Any, Any], Any
        ] = {}  # a translation made in any catalogue is reused when a message moves between them
        for name in names:
            for message in read_catalogue(locale, name):
                if message.id and _translated(message):
                    known.setdefault((message.id, message.context), message.string)
        for name in [only] if only else names:
            # Babel's update shares message objects with the template: each locale gets its own copy, so
            # that one language's strings never reach another's catalogue.
            template = copy.deepcopy(parts[name])
            catalog = read_catalogue(locale, name)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.project, catalog.version, catalog.fuzzy = "SafeCampus portal", "1", False
            catalog.header_comment = (
                f"# SafeCampus portal messages ({locale}, {name}). Update with `python -m portal.i18n`."
            )
            for message in catalog:
                if message.id and not _translated(message):
                    if locale == "en":
                        message.string = message.id
                    elif (message.id, message.context) in known:
                        message.string = known[(message.id, message.context)]
            for obsolete in list(catalog.obsolete):
                del catalog.obsolete[obsolete]
            path = catalogue_path(locale, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(
                    handle, catalog, width=110, omit_header=False, sort_output=False, include_previous=False
                )
            report[f"{locale}/{name}"] = untranslated(catalog, template)
    return report


if __name__ == "__main__":
    area = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--area" else None
    left = update_catalogues(only=area)
    for name, messages in left.items():
        print(f"{name}: {len(messages)} untranslated")
        for message in messages:
            print(f"  {message}")
    sys.exit(1 if any(left.values()) else 0)
