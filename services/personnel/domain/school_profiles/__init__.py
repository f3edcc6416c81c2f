"""School profiles: the schools service's facts about each school (from its events), the school's duty
calendar, and its gates."""

from personnel.domain.school_profiles.controller import GateController, SchoolProfileController

__all__ = ["GateController", "SchoolProfileController"]
