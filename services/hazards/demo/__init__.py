"""Demo data of the hazards service (development only)."""
