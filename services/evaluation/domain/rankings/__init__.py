"""Scoring, results and the county ranking (precomputed by a job)."""
