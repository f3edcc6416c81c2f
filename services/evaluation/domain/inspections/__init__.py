"""Cross-school inspection: teams, assignments with time windows, score sheets, findings, decisions."""
