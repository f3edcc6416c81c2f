"""Overdue escalation: reminders, then the principal, then the bureau."""
