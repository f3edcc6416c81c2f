"""The hazards service: investigation patrols and area sign-off, the hazard register and its rectification
life cycle, listing supervision, referrals, the reporting channel, overdue escalation, incidents,
statistics and exports."""

SERVICE = "hazards"
