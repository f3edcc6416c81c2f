"""Words for the personnel API's codes (roles, positions, statuses, categories …), translated where shown."""

from __future__ import annotations

from portal.i18n import N_

STAFF_ROLES = {
    "principal": N_("Principal"),
    "teacher": N_("Teacher"),
    "guard": N_("Security guard"),
    "bureau": N_("Education bureau"),
}
#: The roles a principal may invite.
INVITED_ROLES = {"teacher": STAFF_ROLES["teacher"], "guard": STAFF_ROLES["guard"]}
POSITIONS = {
    "school_leader": N_("School leader"),
    "class_leader": N_("Class leader"),
    "dormitory_supervisor": N_("Dormitory supervisor"),
    "security_team_member": N_("Security team member"),
    "safety_officer": N_("Safety officer"),
    "psychological_counselor": N_("Psychological counsellor"),
}
STAFF_STATUSES = {"active": N_("Active"), "deactivated": N_("Deactivated")}
ACCOUNT_STATUSES = {
    "pending": N_("Account being created"),
    "ready": N_("Account ready"),
    "failed": N_("Account failed"),
    "disabled": N_("Account disabled"),
}
ID_TYPES = {"resident_id": N_("Resident ID card"), "passport": N_("Passport"), "other": N_("Other papers")}
VISIT_STATUSES = {
    "registered": N_("Waiting for the host"),
    "verified": N_("Verified"),
    "inside": N_("On site"),
    "left": N_("Left"),
    "refused": N_("Refused"),
}
VEHICLE_STATUSES = {
    "none": N_("On foot"),
    "authorised": N_("Vehicle authorised"),
    "refused": N_("Vehicle refused"),
}
VERIFICATION_METHODS = {
    "phone_call": N_("Phoned the host"),
    "in_person": N_("The host came to the gate"),
    "host_in_app": N_("The host confirmed in the app"),
}
PEAKS = {"arrival": N_("Arrival"), "noon": N_("Noon"), "dismissal": N_("Dismissal")}
SHIFT_STATUSES = {
    "scheduled": N_("Scheduled"),
    "checked_in": N_("Checked in"),
    "completed": N_("Completed"),
    "missed": N_("Missed"),
}
GATE_KINDS = {
    "main": N_("Main gate"),
    "side": N_("Side gate"),
    "vehicle": N_("Vehicle gate"),
    "emergency": N_("Emergency exit"),
}
TEAM_ROLES = {"leader": N_("Team leader"), "member": N_("Member")}
OCCUPANTS = {"female": N_("Female"), "male": N_("Male"), "mixed": N_("Mixed")}
FINDINGS = {
    "unexplained_absence": N_("Unexplained absence"),
    "unauthorised_person": N_("Unauthorised person"),
    "door_unlocked": N_("Door unlocked"),
    "fire_hazard": N_("Fire hazard"),
    "electrical_hazard": N_("Electrical hazard"),
    "student_unwell": N_("Student unwell"),
    "other": N_("Other"),
}
CONCERN_CATEGORIES = {
    "mental_illness": N_("Mental illness"),
    "psychological_problems": N_("Psychological problems"),
    "inferiority": N_("Feelings of inferiority"),
    "restlessness": N_("Restlessness"),
    "other": N_("Other"),
}
CONCERN_STATUSES = {"active": N_("Active"), "closed": N_("Closed")}
TOPICS = {
    "fire": N_("Fire safety"),
    "traffic": N_("Traffic safety"),
    "drowning": N_("Drowning prevention"),
    "food": N_("Food safety"),
    "anti_bullying": N_("Anti-bullying"),
    "self_protection": N_("Self-protection"),
    "earthquake": N_("Earthquake"),
    "electricity": N_("Electrical safety"),
    "mental_health": N_("Mental health"),
    "anti_fraud": N_("Fraud prevention"),
    "security_duty": N_("Security duty"),
    "other": N_("Other"),
}
AUDIENCES = {
    "students": N_("Students"),
    "teachers": N_("Teachers"),
    "guards": N_("Guards"),
    "parents": N_("Parents"),
}
#: The county standard's rules (``Requirement.rule``).
RULES = {
    "guards_per_students": N_("Guards for the number of pupils"),
    "guards_per_school": N_("Guards per school"),
    "guards_per_gate": N_("Guards for the gates"),
    "team_leader": N_("A security team with a leader"),
    "night_guards": N_("Night guards of a boarding school"),
}
