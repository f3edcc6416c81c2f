"""The caller's in-app notifications of the evaluation service (kit.notifications): inspection assignments and
the bureau's decisions."""
