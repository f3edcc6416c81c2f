"""The SafeCampus portal: the server-rendered web UI for the bureau, principals, teachers and guards."""

SERVICE = "portal"
