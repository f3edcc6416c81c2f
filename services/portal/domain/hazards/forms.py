"""The hazards pages' forms: what the user typed, what is missing, and the API's verdict beside each field.

The API holds the rules (lengths, states, who may act); the portal checks only what it needs to build a
request (required fields, a date where a date goes, a photo that is an image), so that every missing field
is named at once, and then puts the API's answer beside the field it names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.api import ApiProblem
from portal.i18n import N_, gettext

REQUIRED_MESSAGE = N_("This field is required.")
TOO_SHORT_MESSAGE = N_("Write at least two characters.")
DATE_MESSAGE = N_("Enter a date such as 2026-12-31.")
PAST_DATE_MESSAGE = N_("The deadline cannot be in the past.")
CHOICE_MESSAGE = N_("Choose one of the options.")
NUMBER_MESSAGE = N_("Enter a whole number.")
INVALID_MESSAGE = N_("This value is not valid.")
PHOTO_MESSAGE = N_("Choose a photo (JPEG, PNG, WebP or HEIC) of at most 8 MB.")
#: ``$.field`` in the messages of the API's validation errors.
_JSON_PATH = re.compile(r"\$\.([a-z_]+)")


@dataclass
class Form:
    """One form's values and errors. ``message`` is about the whole form, ``detail`` the API's own words."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    detail: str = ""
    #: The status to answer with when the form comes back: 422 for bad input, or the API's refusal.
    status: int = 422

    @classmethod
    def of(cls, raw: Mapping[str, Any], names: Iterable[str]) -> Form:
        values = {}
        for name in names:
            value = raw.get(name)
            values[name] = value.strip() if isinstance(value, str) else ""
        return cls(values=values)

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, gettext(message))

    def require(self, *names: str, min_length: int = 1) -> None:
        for name in names:
            value = self[name]
            if not value:
                self.error(name, REQUIRED_MESSAGE)
            elif len(value) < min_length:
                self.error(name, TOO_SHORT_MESSAGE)

    def choice(self, name: str, choices: Mapping[str, str], *, required: bool = True) -> None:
        value = self[name]
        if not value:
            if required:
                self.error(name, REQUIRED_MESSAGE)
        elif value not in choices:
            self.error(name, CHOICE_MESSAGE)

    def date(self, name: str, *, required: bool = True, not_before: dt.date | None = None) -> None:
        value = self[name]
        if not value:
            if required:
                self.error(name, REQUIRED_MESSAGE)
            return
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.error(name, DATE_MESSAGE)
            return
        if not_before is not None and day < not_before:
            self.error(name, PAST_DATE_MESSAGE)

    def number(self, name: str) -> None:
        if self[name] and not self[name].isdigit():
            self.error(name, NUMBER_MESSAGE)

    def reject(self, problem: ApiProblem, *, failed: str) -> None:
        """Put the API's verdict beside the fields it names; ``failed`` and its detail above the form."""
        if problem.status in (413, 415):  # the upload: too large, or not an image
            self.error("photo", PHOTO_MESSAGE)
        for name in problem_fields(problem):
            if name in self.values:
                self.error(name, INVALID_MESSAGE)
        self.message = gettext(failed)
        self.detail = problem.detail


def problem_fields(problem: ApiProblem) -> list[str]:
    """The fields an API problem names: its errors' keys, or the ``$.field`` of its validation messages."""
    names = []
    for error in problem.errors:
        for text in (error.key, error.message):
            names.extend(_JSON_PATH.findall(text))
        if error.key and error.key not in ("body", "data"):
            names.append(error.key)
    names.extend(_JSON_PATH.findall(problem.detail))
    return list(dict.fromkeys(names))


#: The API's answers that mean "not like this" (shown with the form), rather than a failure of the page.
REFUSALS = (400, 403, 409, 413, 415, 422)


async def attempt(
    form: Form, call: Callable[[], Awaitable[Any]], *, failed: str, refusals: Iterable[int] = REFUSALS
) -> tuple[bool, Any]:
    """Send a checked form with ``call``: ``(True, the API's answer)``, or ``(False, None)`` with the form
    carrying why (its own checks, or the API's refusal and the fields it names)."""
    if not form.ok:
        form.message = gettext(failed)
        return False, None
    try:
        return True, await call()
    except ApiProblem as problem:
        if problem.status not in tuple(refusals):
            raise
        form.status = problem.status if problem.status in (403, 409) else 422
        form.reject(problem, failed=failed)
        return False, None
