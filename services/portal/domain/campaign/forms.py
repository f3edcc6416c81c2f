"""The campaign forms: what the user typed, what is missing, and the API's verdict beside each field.

As in the onboarding form, the API holds the rules; the portal checks only what it needs to build a request
(required fields, dates, numbers), so that every missing field is named at once and nothing is sent —
and nothing written — while any is wrong. Rows of a list (members, assignments) are fields named
``<list>-<row>-<field>``, the API's ``members[0].name`` turned into the same name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.api import ApiProblem
from portal.i18n import N_, gettext

REQUIRED = N_("This field is required.")
DATE = N_("Enter a date such as 2026-04-13.")
FUTURE = N_("This date is in the future.")
NUMBER = N_("Enter a whole number.")
NOT_SAVED = N_("Nothing was saved. Correct the marked fields and submit again.")
#: API messages the portal can say in the user's language (else the field's hint, else a general line).
API_MESSAGES = {
    "this date is in the future": FUTURE,
    "no such record": N_("No such record of this school."),
}
INVALID = N_("This value is not accepted.")
_INDEX = re.compile(r"\[(\d+)\]\.?")


def field_name(api_key: str) -> str:
    """The form field of an API error key: ``members[0].name`` → ``members-0-name``."""
    return _INDEX.sub(lambda m: f"-{m.group(1)}-", api_key.removeprefix("$.")).strip("-")


def parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class Form:
    """Values as typed (strings), errors by field name, a message for the whole form."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    detail: str = ""
    #: Hints shown beside a field the API rejects with a message the portal cannot word.
    hints: dict[str, str] = field(default_factory=dict)
    #: The form rows behind each list the request sent (blank rows are not sent): ``{"members": ["0", "2"]}``.
    sent_rows: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, form: Mapping[str, Any], names: list[str] | tuple[str, ...], **extra: Any) -> Any:
        values = {name: str(form.get(name) or "").strip() for name in names}
        return cls(values=values, **extra)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def require(self, *names: str) -> None:
        for name in names:
            if not self.get(name):
                self.errors.setdefault(name, gettext(REQUIRED))

    def date(self, name: str, *, required: bool = True, not_after: dt.date | None = None) -> dt.date | None:
        raw = self.get(name)
        if not raw:
            if required:
                self.errors.setdefault(name, gettext(REQUIRED))
            return None
        day = parse_date(raw)
        if day is None:
            self.errors.setdefault(name, gettext(DATE))
        elif not_after is not None and day > not_after:
            self.errors.setdefault(name, gettext(FUTURE))
        return day

    def integer(self, name: str, *, required: bool = True, low: int = 0, high: int = 10**9) -> int | None:
        raw = self.get(name)
        if not raw:
            if required:
                self.errors.setdefault(name, gettext(REQUIRED))
            return None
        if not raw.isdigit() or not low <= int(raw) <= high:
            self.errors.setdefault(name, gettext(NUMBER))
            return None
        return int(raw)

    @property
    def ok(self) -> bool:
        if self.errors and not self.message:
            self.message = gettext(NOT_SAVED)
        return not self.errors

    def reject(self, problem: ApiProblem, fields: Mapping[str, str] | None = None) -> None:
        """Put the API's verdict beside the fields it names (``fields`` maps API keys the form names
        differently); what names no field goes above the form."""
        for key, api_message in problem.field_errors().items():
            name = (fields or {}).get(key) or self._row_field(field_name(key))
            known = API_MESSAGES.get(api_message.strip().lower())
            hint = self.hints.get(name)
            self.errors[name] = gettext(known or hint or INVALID)
        if self.errors:
            self.message = gettext(NOT_SAVED)
        else:
            self.message, self.detail = gettext("Nothing was saved."), problem.detail

    def _row_field(self, name: str) -> str:
        prefix, _, rest = name.partition("-")
        position, _, column = rest.partition("-")
        sent = self.sent_rows.get(prefix)
        if sent and position.isdigit() and int(position) < len(sent):
            return "-".join(part for part in (prefix, sent[int(position)], column) if part)
        return name


#: API answers about the input: shown on the form, not as an error page.
INPUT_STATUSES = (400, 409, 422)
#: What :func:`submit` answers when the API refused the form's input.
REJECTED: Any = object()


async def submit(form: Form, call: Awaitable[Any], fields: Mapping[str, str] | None = None) -> Any:
    """The API's answer to a form's request, or :data:`REJECTED` with its verdict put on the form (see
    :meth:`Form.reject`). Other failures go on to the error pages."""
    try:
        return await call
    except ApiProblem as problem:
        if problem.status not in INPUT_STATUSES:
            raise
        form.reject(problem, fields)
        return REJECTED


def lines(text: str) -> list[str]:
    """One item per line (or separated by Chinese or Latin commas), blanks dropped."""
    return [part.strip() for part in re.split(r"[\n,，、;；]", text) if part.strip()]


def rows(
    form: Form, prefix: str, names: tuple[str, ...], defaults: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """The filled rows of a repeated group (``prefix-<i>-<name>``), keeping their row numbers. A row whose
    only values are in ``defaults`` (a select that always has a value) counts as empty."""
    found = []
    index = 0
    while any(f"{prefix}-{index}-{name}" in form.values for name in names):
        row = {name: form.get(f"{prefix}-{index}-{name}") for name in names}
        if any(value for name, value in row.items() if name not in defaults):
            found.append({"_index": str(index), **row})
        index += 1
    return found


def row_names(prefix: str, count: int, names: tuple[str, ...]) -> list[str]:
    return [f"{prefix}-{i}-{name}" for i in range(count) for name in names]
