"""Alembic environment of the schools service: own schema, own version table, run as the owner role."""

from __future__ import annotations

from alembic import context

from schools.domain.campaigns import models as campaign_models  # noqa: F401  (registers the tables)
from schools.domain.counties.models import County  # noqa: F401  (registers the table)
from schools.domain.documents import models as document_models  # noqa: F401
from schools.domain.emergency import models as emergency_models  # noqa: F401
from schools.domain.evidence import models as evidence_models  # noqa: F401
from schools.domain.schools.models import School  # noqa: F401
from schools.models import SCHEMA, Base
from tenants.migrations import run_service_migrations

run_service_migrations(context, SCHEMA, Base.metadata)
