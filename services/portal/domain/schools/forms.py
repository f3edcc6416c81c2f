"""The onboarding form: what the user typed, what is missing, and the API's verdict beside each field.

The API holds the rules (lengths, patterns, uniqueness); the portal only checks what it must to build a
request (required fields, a number where a number goes) so that every missing field is named at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.api import ApiProblem
from portal.i18n import N_, gettext

FIELDS = (
    "code",
    "name",
    "kind",
    "student_count",
    "address",
    "principal_name",
    "principal_email",
    "principal_username",
)
REQUIRED = ("code", "name", "kind", "principal_name", "principal_email", "principal_username")
#: What a field must look like, shown beside it when the API rejects it.
HINTS = {
    "code": N_("Use 1 to 32 letters, digits, hyphens or underscores, starting with a letter or digit."),
    "name": N_("Enter the school's name (2 to 120 characters)."),
    "kind": N_("Choose the kind of school."),
    "boarding": N_("Choose whether pupils board."),
    "student_count": N_("Enter a whole number from 0 to 100000."),
    "address": N_("Use at most 300 characters."),
    "principal_name": N_("Enter the principal's name (at most 80 characters)."),
    "principal_email": N_("Enter an e-mail address such as name@school.cn."),
    "principal_username": N_(
        "Use 3 to 64 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit."
    ),
}
#: API messages the portal can say in the user's language.
API_MESSAGES = {"already in use": N_("Already in use.")}
REQUIRED_MESSAGE = N_("This field is required.")


@dataclass
class OnboardingForm:
    values: dict[str, str] = field(default_factory=dict)
    boarding: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    #: A message for the whole form (not about one field).
    message: str = ""
    detail: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> OnboardingForm:
        values = {name: str(form.get(name) or "").strip() for name in FIELDS}
        values["principal_username"] = values["principal_username"].lower()
        return cls(values=values, boarding=str(form.get("boarding") or "") in ("on", "true", "1"))

    def check(self) -> bool:
        """Required fields and the number; the API checks the rest."""
        for name in REQUIRED:
            if not self.values[name]:
                self.errors[name] = gettext(REQUIRED_MESSAGE)
        count, hint = self.values["student_count"], HINTS["student_count"]
        if count and not count.isdigit():
            self.errors["student_count"] = gettext(hint)
        return not self.errors

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {name: self.values[name] for name in FIELDS if name != "student_count"}
        body["boarding"] = self.boarding
        body["student_count"] = int(self.values["student_count"] or 0)
        return body

    def reject(self, problem: ApiProblem) -> None:
        """Put the API's verdict beside the fields it names; the rest above the form."""
        for key, api_message in problem.field_errors().items():
            if key in HINTS:
                known = API_MESSAGES.get(api_message.strip().lower())
                self.errors[key] = gettext(known) if known else gettext(HINTS[key])
        if self.errors:
            self.message = gettext(
                "The school was not onboarded. Correct the marked fields and submit again."
            )
        else:
            self.message, self.detail = gettext("The school was not onboarded."), problem.detail
