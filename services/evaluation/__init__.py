"""The evaluation service: rubrics, objective indicators computed from the other services' events,
self-assessment, cross-school inspection, rankings, the year-end comprehensive evaluation and reports."""

SERVICE = "evaluation"
