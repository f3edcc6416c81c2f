"""The security team and staffing compliance against the county's standard."""

from personnel.domain.security_team.controller import (
    SecurityTeamController,
    StaffingController,
    StandardController,
)

__all__ = ["SecurityTeamController", "StaffingController", "StandardController"]
