"""Alembic environment of the hazards service: own schema, own version table, run as the owner role."""

from __future__ import annotations

from alembic import context

import hazards.domain.directory.models
import hazards.domain.escalation.models
import hazards.domain.hazards.models
import hazards.domain.incidents.models
import hazards.domain.patrols.models
import hazards.domain.referrals.models
import hazards.domain.reports.models  # noqa: F401  (each import registers its tables)
from hazards.models import SCHEMA, Base
from tenants.migrations import run_service_migrations

run_service_migrations(context, SCHEMA, Base.metadata)
