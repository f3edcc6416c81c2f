"""Hazard statistics for the evaluation."""
