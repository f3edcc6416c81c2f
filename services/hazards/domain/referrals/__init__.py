"""Referral of hazards to outside departments."""
