"""Schools of a county: onboarding, profile, suspension, and the principal's account."""

from schools.domain.schools.controller import OwnSchoolController, SchoolController

__all__ = ["OwnSchoolController", "SchoolController"]
