"""The personnel service: staff and their accounts, the security team and staffing, gate duty, visitors and
vehicles, dormitory night inspections, students of concern (restricted), safety education and training."""

SERVICE = "personnel"
