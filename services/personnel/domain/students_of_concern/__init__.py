"""Students of concern (mental illness, psychological problems, inferiority, restlessness, other): only the
principal and the responsible teacher see a record (enforced by RLS), every read is audited, the bureau
gets counts per category; reviews falling due remind the teacher."""

from personnel.domain.students_of_concern.controller import StudentOfConcernController

__all__ = ["StudentOfConcernController"]
