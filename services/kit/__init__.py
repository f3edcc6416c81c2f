"""Shared library of the SafeCampus services: settings, database, auth, errors, app factory, broker."""
