"""The hazard register: numbering, photos, history and the rectification life cycle."""
