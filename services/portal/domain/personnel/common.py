"""What the personnel pages share: local times, the form that keeps what was typed and puts the API's
verdict beside each field, and rendering with the personnel words at hand."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from litestar import Request
from litestar.response import Template

from portal.api import ApiProblem
from portal.domain.personnel import labels
from portal.i18n import N_, current_locale, gettext
from portal.web import page

#: Duty peaks, visits and dormitory nights happen in the county's local time (the personnel service's
#: default ``PERSONNEL_TIMEZONE``); the APIs answer in UTC.
LOCAL_TIME = ZoneInfo("Asia/Shanghai")
REQUIRED_MESSAGE = N_("This field is required.")
_JSON_PATH = re.compile(r"\$\.(\w+)")


def _moment(value: str | dt.datetime | None) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def clock(value: str | dt.datetime | None) -> str:
    """The local time of day of an API timestamp (``08:05``)."""
    moment = _moment(value)
    return format_time(moment, "HH:mm", tzinfo=LOCAL_TIME) if moment else ""


def when(value: str | dt.datetime | None) -> str:
    """An API timestamp as a short local date and time in the current language."""
    moment = _moment(value)
    if moment is None:
        return ""
    return format_datetime(moment, "short", tzinfo=LOCAL_TIME, locale=Locale.parse(current_locale()))


def day(value: str | dt.date | None) -> str:
    """An API date in the current language."""
    if not value:
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(date, "medium", locale=Locale.parse(current_locale()))


def today() -> dt.date:
    return dt.datetime.now(LOCAL_TIME).date()


def render(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """A personnel page: :func:`portal.web.page` with the personnel words and the time formats."""
    return page(
        request,
        template,
        status_code=status_code,
        words=labels,
        clock=clock,
        when=when,
        day=day,
        **context,
    )


def fields_of(key: str, message: str) -> list[str]:
    """The form fields an API error may be about: the key's first and last parts (``shifts[1].gate_id``),
    or the JSON path the body validation names."""
    found = _JSON_PATH.search(message)
    if key in ("", "data", "body") and found:
        return [found.group(1)]
    parts = [part for part in re.split(r"[.\[\]]", key) if part and not part.isdigit()]
    return [parts[0], parts[-1]] if parts else []


@dataclass
class Form:
    """What the user typed (kept when the form comes back), the errors beside the fields, and a message
    for the whole form. The API holds the rules; the portal checks only what it needs to build a request."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    detail: str = ""

    @classmethod
    def read(cls, form: Any, fields: Iterable[str], lists: Iterable[str] = ()) -> Form:
        values = {name: str(form.get(name) or "").strip() for name in fields}
        chosen = {name: [str(v) for v in form.getall(name, []) if str(v)] for name in lists}
        return cls(values=values, lists=chosen)

    @classmethod
    def empty(cls, **values: str) -> Form:
        return cls(values=dict(values))

    def require(self, *names: str) -> Form:
        for name in names:
            if not self.values.get(name) and not self.lists.get(name):
                self.errors.setdefault(name, gettext(REQUIRED_MESSAGE))
        return self

    def whole_number(self, name: str, hint: str, *, low: int = 0, high: int = 100_000) -> int | None:
        """The field as a whole number within bounds, or an error beside it."""
        text = self.values.get(name, "")
        if text.isdigit() and low <= int(text) <= high:
            return int(text)
        if text or name not in self.errors:
            self.errors.setdefault(name, gettext(hint))
        return None

    def checked(self, name: str) -> bool:
        return self.values.get(name, "") in ("on", "true", "1")

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, message: str) -> Form:
        self.message = gettext(message)
        return self

    def reject(self, problem: ApiProblem, hints: Mapping[str, str], message: str) -> None:
        """Put the API's verdict beside the fields it names (in the user's words); the rest above the form."""
        for error in problem.errors:
            for name in fields_of(error.key, error.message):
                if name in hints:
                    self.errors.setdefault(name, gettext(hints[name]))
                    break
        self.message = gettext(message)
        if not self.errors:
            self.detail = problem.detail


def is_form_problem(problem: ApiProblem) -> bool:
    """The API refused what was typed (shown with the form again) rather than failing."""
    return problem.status in (400, 409, 422)
