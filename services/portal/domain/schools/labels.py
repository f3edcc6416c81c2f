"""Words for the schools API's codes (kinds, statuses), translated where they are shown."""

from __future__ import annotations

from portal.i18n import N_

KINDS = {
    "kindergarten": N_("Kindergarten"),
    "primary": N_("Primary school"),
    "junior_secondary": N_("Junior secondary school"),
    "senior_secondary": N_("Senior secondary school"),
    "nine_year": N_("Nine-year school"),
    "twelve_year": N_("Twelve-year school"),
    "vocational": N_("Vocational school"),
    "special_education": N_("Special education school"),
}
STATUSES = {"active": N_("Active"), "suspended": N_("Suspended")}
PROVISIONING = {
    "pending": N_("Provisioning"),
    "done": N_("Provisioned"),
    "failed": N_("Provisioning failed"),
}
