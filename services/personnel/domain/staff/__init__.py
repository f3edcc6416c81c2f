"""Staff and accounts: the principal invites teachers and guards, the bureau its own users; deactivating
someone disables their account."""

from personnel.domain.staff.controller import BureauUserController, StaffController

__all__ = ["BureauUserController", "StaffController"]
