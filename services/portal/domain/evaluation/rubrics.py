"""The rubric editor (bureau): categories with weights, indicators with maximum points, guidance and
required evidence, bonus and veto items, grade bands; versions (a published version never changes, a new
version starts as a draft copy); publishing. Attaching a rubric to a county campaign is on the evaluation
start page.

The form's field names are the paths of the rubric document (``categories[0].indicators[1].max_points``),
so the API's verdict on a field lands beside that field. Each list ends with an empty row to add one; a
row whose code and title are cleared is removed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import ApiProblem, UserApi
from portal.domain.evaluation.common import number, view
from portal.i18n import N_, gettext

INDICATOR_FIELDS = (
    "code",
    "title",
    "max_points",
    "source",
    "metric",
    "deduction_per_unit",
    "guidance",
    "required_evidence",
)
CATEGORY_FIELDS = ("code", "title", "weight")
BONUS_FIELDS = ("code", "title", "max_points", "guidance", "required_evidence")
VETO_FIELDS = ("code", "title", "guidance", "metric", "threshold")
NUMBERS = {"weight", "max_points", "deduction_per_unit", "threshold", "bonus_cap"}
INTEGERS = {"threshold"}
LISTS = {"required_evidence"}
BANDS = ("excellent", "good", "pass")
NOT_A_NUMBER = N_("Enter a number, such as 5 or 2.5.")
NOT_SAVED = N_("The rubric was not saved. Correct the marked fields.")


def api_path(key: str) -> str:
    """The API's key for a field (``$.categories.0.weight`` or ``categories[0].weight``) as a form name."""
    key = key.removeprefix("$.")
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", key)


@dataclass
class RubricForm:
    """The editor's fields by path, the number of rows of each list, and the errors by path."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    indicators: list[int] = field(default_factory=list)
    bonus: int = 0
    veto: int = 0
    message: str = ""
    detail: str = ""

    def get(self, path: str) -> str:
        return self.values.get(path, "")

    def has_errors(self, prefix: str) -> bool:
        """Whether a field of the row at ``prefix`` is marked (its row is then shown open)."""
        return any(key.startswith(prefix + ".") for key in self.errors)

    @classmethod
    def of_definition(cls, definition: Mapping[str, Any]) -> RubricForm:
        """The stored rubric, plus an empty row at the end of every list."""
        form = cls()
        values = form.values
        values["title"] = str(definition.get("title", ""))
        values["bonus_cap"] = number(definition.get("bonus_cap", 5))
        for band in BANDS:
            values[f"grade_bands.{band}"] = number(definition.get("grade_bands", {}).get(band, ""))
        for i, category in enumerate(definition.get("categories", [])):
            _put(values, f"categories[{i}]", category, CATEGORY_FIELDS)
            for j, indicator in enumerate(category.get("indicators", [])):
                _put(values, f"categories[{i}].indicators[{j}]", indicator, INDICATOR_FIELDS)
            form.indicators.append(len(category.get("indicators", [])) + 1)
        form.indicators.append(1)
        for k, item in enumerate(definition.get("bonus_items", [])):
            _put(values, f"bonus_items[{k}]", item, BONUS_FIELDS)
        for k, item in enumerate(definition.get("veto_items", [])):
            _put(values, f"veto_items[{k}]", item, VETO_FIELDS)
        form.bonus = len(definition.get("bonus_items", [])) + 1
        form.veto = len(definition.get("veto_items", [])) + 1
        return form

    @classmethod
    def of_post(cls, data: Mapping[str, Any]) -> RubricForm:
        """What was typed, with the rows as they were on the page."""
        form = cls(values={str(k): str(v).strip() for k, v in data.items() if k != "_csrf_token"})
        categories = _count(form.values, r"categories\[(\d+)\]\.code")
        form.indicators = [
            _count(form.values, rf"categories\[{i}\]\.indicators\[(\d+)\]\.code") for i in range(categories)
        ]
        form.bonus = _count(form.values, r"bonus_items\[(\d+)\]\.code")
        form.veto = _count(form.values, r"veto_items\[(\d+)\]\.code")
        return form

    def definition(self) -> dict[str, Any]:
        """The rubric document from the rows that have a code or a title; numbers checked on the way."""
        document: dict[str, Any] = {
            "title": self.get("title"),
            "bonus_cap": self._number("bonus_cap"),
            "grade_bands": {band: self._number(f"grade_bands.{band}") for band in BANDS},
            "categories": [],
            "bonus_items": self._rows("bonus_items", self.bonus, BONUS_FIELDS),
            "veto_items": self._rows("veto_items", self.veto, VETO_FIELDS),
        }
        for i, rows in enumerate(self.indicators):
            prefix = f"categories[{i}]"
            if not (self.get(f"{prefix}.code") or self.get(f"{prefix}.title")):
                continue
            category = self._row(prefix, CATEGORY_FIELDS)
            category["indicators"] = self._rows(f"{prefix}.indicators", rows, INDICATOR_FIELDS)
            document["categories"].append(category)
        return document

    def _rows(self, name: str, count: int, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            self._row(f"{name}[{k}]", fields)
            for k in range(count)
            if self.get(f"{name}[{k}].code") or self.get(f"{name}[{k}].title")
        ]

    def _row(self, prefix: str, fields: tuple[str, ...]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for name in fields:
            path, value = f"{prefix}.{name}", self.get(f"{prefix}.{name}")
            if name in LISTS:
                row[name] = [line.strip() for line in value.splitlines() if line.strip()]
            elif name in NUMBERS:
                if value:
                    row[name] = self._number(path)
            elif name in ("metric",):
                if value:
                    row[name] = value
            else:
                row[name] = value
        return row

    def _number(self, path: str) -> float | int | None:
        value = self.get(path).replace(",", ".")
        try:
            parsed = float(value)
        except ValueError:
            self.errors[path] = gettext(NOT_A_NUMBER)
            return None
        return int(parsed) if path.rsplit(".", 1)[-1] in INTEGERS else parsed

    def reject(self, problem: ApiProblem) -> None:
        """The API's verdict beside the fields it names; rules of the whole rubric above the form."""
        general = []
        for key, message in problem.field_errors().items():
            path = api_path(key)
            if path in self.values:
                self.errors[path] = message
            else:
                general.append(f"{key}: {message}")
        self.message = gettext(NOT_SAVED)
        self.detail = "; ".join(general) or ("" if self.errors else problem.detail)


def _put(values: dict[str, str], prefix: str, row: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        value = row.get(name)
        if name in LISTS:
            values[f"{prefix}.{name}"] = "\n".join(value or [])
        elif name in NUMBERS:
            values[f"{prefix}.{name}"] = number(value)
        else:
            values[f"{prefix}.{name}"] = "" if value is None else str(value)


def _count(values: Mapping[str, str], pattern: str) -> int:
    found = [int(m.group(1)) for key in values if (m := re.fullmatch(pattern, key))]
    return max(found) + 1 if found else 0


class RubricController(Controller):
    path = "/evaluation/rubrics"
    guards = [requires_role("bureau")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Every version of the county's rubrics."""
        rubrics = await api.get("evaluation", "/rubrics")
        rubrics.sort(key=lambda r: (str(r["lineage_id"]), -int(r["version"])))
        return view(request, "evaluation/rubrics.html", rubrics=rubrics, error="")

    @post("/default")
    async def create_default(self, api: UserApi) -> Response[Any]:
        """A draft of the default rubric, built from the campaign plan, to edit and publish."""
        created = await api.post("evaluation", "/rubrics/default")
        return Redirect(path=f"/evaluation/rubrics/{created['id']}", status_code=303)

    @get("/{rubric_id:uuid}")
    async def editor(
        self, request: Request[Any, Any, Any], api: UserApi, rubric_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        rubric = await api.get("evaluation", f"/rubrics/{rubric_id}")
        return self._editor(request, rubric, RubricForm.of_definition(rubric["definition"]))

    def _editor(
        self,
        request: Request[Any, Any, Any],
        rubric: dict[str, Any],
        form: RubricForm,
        status_code: int = 200,
    ) -> Response[Any]:
        return view(
            request,
            "evaluation/rubric.html",
            status_code=status_code,
            rubric=rubric,
            form=form,
        )

    @post("/{rubric_id:uuid}")
    async def save(
        self, request: Request[Any, Any, Any], api: UserApi, rubric_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Replace the draft's content; bad input comes back beside the fields and writes nothing."""
        rubric = await api.get("evaluation", f"/rubrics/{rubric_id}")
        form = RubricForm.of_post(await request.form())
        definition = form.definition()
        if not form.errors:
            try:
                await api.put("evaluation", f"/rubrics/{rubric_id}", json=definition)
            except ApiProblem as problem:
                if problem.status not in (400, 409, 422):
                    raise
                form.reject(problem)
            else:
                return Redirect(path=f"/evaluation/rubrics/{rubric_id}?done=saved", status_code=303)
        form.message = form.message or gettext(NOT_SAVED)
        return self._editor(request, rubric, form, status_code=422)

    @post("/{rubric_id:uuid}/publish")
    async def publish(self, api: UserApi, rubric_id: FromPath[uuid.UUID]) -> Response[Any]:
        await api.post("evaluation", f"/rubrics/{rubric_id}/publish")
        return Redirect(path=f"/evaluation/rubrics/{rubric_id}?done=published", status_code=303)

    @post("/{rubric_id:uuid}/versions")
    async def new_version(
        self, request: Request[Any, Any, Any], api: UserApi, rubric_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """The next version as a draft copy (one draft per rubric at a time: 409 otherwise)."""
        try:
            created = await api.post("evaluation", f"/rubrics/{rubric_id}/versions")
        except ApiProblem as problem:
            if problem.status != 409:
                raise
            rubrics = await api.get("evaluation", "/rubrics")
            error = gettext(N_("This rubric already has a draft version: edit that one."))
            return view(request, "evaluation/rubrics.html", status_code=409, rubrics=rubrics, error=error)
        return Redirect(path=f"/evaluation/rubrics/{created['id']}", status_code=303)
