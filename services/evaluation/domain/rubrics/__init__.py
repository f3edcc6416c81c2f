"""Rubrics: weighted categories of indicators, bonus and veto items; versioned, published, immutable."""
