"""Emergency plans by type (fire, earthquake, intruder, ...) and the drills that rehearse them."""

from schools.domain.emergency.controller import EmergencyPlanController

__all__ = ["EmergencyPlanController"]
