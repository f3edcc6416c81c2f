"""Visitors and vehicles at the gate: registration with encrypted ID numbers, verification with the host,
entry and exit, refusals, vehicle authorisations, and the retention purge."""

from personnel.domain.visitors.controller import VehicleAuthorisationController, VisitController

__all__ = ["VehicleAuthorisationController", "VisitController"]
