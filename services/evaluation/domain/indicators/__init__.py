"""Objective indicators computed from the figures the hazards, personnel and schools services publish."""
