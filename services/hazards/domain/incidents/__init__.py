"""Security incidents."""
