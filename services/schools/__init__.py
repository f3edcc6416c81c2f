"""The schools service: counties, schools and onboarding (later: campaigns and their phases)."""

SERVICE = "schools"
