"""Listing supervision by the bureau and the county's supervision list."""
