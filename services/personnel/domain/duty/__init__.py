"""Gate duty at the arrival, noon and dismissal peaks: rosters, check-in on a phone, missed duties, coverage."""

from personnel.domain.duty.controller import DutyController

__all__ = ["DutyController"]
