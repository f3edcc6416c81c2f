"""Alembic environment of the evaluation service: own schema, own version table, run as the owner role."""

from __future__ import annotations

from alembic import context

import evaluation.domain.campaigns.models
import evaluation.domain.directory.models
import evaluation.domain.indicators.models
import evaluation.domain.inspections.models
import evaluation.domain.rankings.models
import evaluation.domain.reports.models
import evaluation.domain.rubrics.models
import evaluation.domain.self_assessment.models
import evaluation.domain.year_end.models  # noqa: F401  (each registers its tables)
from evaluation.models import SCHEMA, Base
from tenants.migrations import run_service_migrations

run_service_migrations(context, SCHEMA, Base.metadata)
