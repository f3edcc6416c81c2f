"""Words for the hazards API's codes (areas, categories, states, departments ...), translated where they are
shown. The portal imports no other service, so the hazards service's own vocabulary is repeated here as
messages of the hazards catalogue."""

from __future__ import annotations

from portal.i18n import N_

AREAS = {
    "gate": N_("Gate"),
    "teaching_buildings": N_("Teaching buildings"),
    "labs": N_("Laboratories"),
    "dormitories": N_("Dormitories"),
    "canteen": N_("Canteen"),
    "playground_sports": N_("Playground and sports facilities"),
    "electrical_rooms": N_("Electrical rooms"),
    "surroundings": N_("Surroundings"),
}
CATEGORIES = {
    "buildings_facilities": N_("Buildings and facilities"),
    "fire": N_("Fire safety"),
    "electrical": N_("Electrical"),
    "food_hygiene": N_("Food hygiene"),
    "traffic": N_("Traffic"),
    "dormitory": N_("Dormitory"),
    "lab_chemicals": N_("Laboratory chemicals"),
    "surroundings_business": N_("Surroundings: business premises"),
    "surroundings_vendors": N_("Surroundings: street vendors"),
    "surroundings_illegal_buildings": N_("Surroundings: illegal buildings"),
    "personnel": N_("Personnel"),
    "other": N_("Other"),
}
SEVERITIES = {"general": N_("General hazard"), "major": N_("Major hazard")}
SOURCES = {
    "investigation": N_("Investigation"),
    "daily_patrol": N_("Daily patrol"),
    "staff_report": N_("Staff report"),
    "bureau_inspection": N_("Bureau inspection"),
    "public_report": N_("Public report"),
}
STATUSES = {
    "reported": N_("Reported"),
    "confirmed": N_("Confirmed"),
    "rejected": N_("Rejected (not a hazard)"),
    "rectifying": N_("Being rectified"),
    "rectified": N_("Rectified, awaiting verification"),
    "verified": N_("Verified, awaiting bureau sign-off"),
    "closed": N_("Closed out"),
}
#: What each history line's action means.
ACTIONS = {
    "report": N_("Reported"),
    "confirm": N_("Confirmed"),
    "reject": N_("Rejected"),
    "assign": N_("Assigned for rectification"),
    "reassign": N_("Reassigned"),
    "contain": N_("Containment measures"),
    "rectify": N_("Marked rectified"),
    "verify": N_("Verified"),
    "reopen": N_("Reopened"),
    "sign_off": N_("Signed off by the bureau"),
    "list": N_("Listed for supervision"),
    "edit": N_("Details changed"),
    "add_photo": N_("Photo added"),
    "refer": N_("Referred to a department"),
    "referral_update": N_("Referral updated"),
}
DEPARTMENTS = {
    "public_security": N_("Public security"),
    "market_supervision": N_("Market supervision"),
    "urban_management": N_("Urban management"),
    "fire_service": N_("Fire service"),
    "transport": N_("Transport"),
    "other": N_("Other"),
}
REFERRAL_STATUSES = {
    "sent": N_("Sent"),
    "acknowledged": N_("Acknowledged"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved"),
    "declined": N_("Declined"),
}
INCIDENT_KINDS = {
    "criminal": N_("Criminal case"),
    "public_order": N_("Public order case"),
    "injury": N_("Injury"),
    "food_poisoning": N_("Food poisoning"),
    "fire": N_("Fire"),
    "other": N_("Other"),
}
PATROL_KINDS = {"investigation": N_("Investigation patrol"), "daily": N_("Daily patrol")}
PATROL_STATUSES = {"open": N_("In progress"), "submitted": N_("Submitted to the bureau")}
PUBLIC_REPORT_STATUSES = {
    "pending": N_("Waiting for review"),
    "accepted": N_("Taken into the register"),
    "dismissed": N_("Dismissed"),
}
