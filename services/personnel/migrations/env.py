"""Alembic environment of the personnel service: own schema, own version table, run as the owner role."""

from __future__ import annotations

from alembic import context

import personnel.domain.dormitories.models
import personnel.domain.duty.models
import personnel.domain.school_profiles.models
import personnel.domain.security_team.models
import personnel.domain.staff.models
import personnel.domain.students_of_concern.models
import personnel.domain.training.models
import personnel.domain.visitors.models  # noqa: F401  (the imports register the tables)
from personnel.models import SCHEMA, Base
from tenants.migrations import run_service_migrations

run_service_migrations(context, SCHEMA, Base.metadata)
