"""Statistics for the evaluation, by API and (weekly) by event."""

from personnel.domain.statistics.controller import StatisticsController

__all__ = ["StatisticsController"]
