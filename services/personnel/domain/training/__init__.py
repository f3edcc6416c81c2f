"""Safety education and training sessions: topic, date, audience, participants, materials."""

from personnel.domain.training.controller import TrainingController

__all__ = ["TrainingController"]
