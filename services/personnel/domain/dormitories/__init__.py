"""Dormitory night inspections: per building, female dormitories flagged and first, head count against
the roster, findings; a night without an inspection is flagged."""

from personnel.domain.dormitories.controller import DormitoryController, NightInspectionController

__all__ = ["DormitoryController", "NightInspectionController"]
