"""Campaigns: the evaluation side of a county campaign (its rubric, results state, year-end freeze)."""
