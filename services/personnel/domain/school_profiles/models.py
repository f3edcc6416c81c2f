"""What the personnel service knows about each school: the facts the schools service owns (copied from its
events) and the school's own duty calendar (school days, boarding nights, gate-duty peaks), and its gates."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, Computed, DateTime, Integer, SmallInteger, String, Time, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from personnel.models import Base, SchoolOwned, Timestamped, str_enum


class Peak(enum.StrEnum):
    """The three daily gate-duty peaks of the seed: arrival, noon and dismissal."""

    ARRIVAL = "arrival"
    NOON = "noon"
    DISMISSAL = "dismissal"


class GateKind(enum.StrEnum):
    MAIN = "main"
    SIDE = "side"
    VEHICLE = "vehicle"
    EMERGENCY = "emergency"


#: Default local peak windows; a school may change them in its profile.
DEFAULT_PEAK_TIMES: dict[Peak, tuple[dt.time, dt.time]] = {
    Peak.ARRIVAL: (dt.time(7, 0), dt.time(8, 0)),
    Peak.NOON: (dt.time(11, 30), dt.time(12, 30)),
    Peak.DISMISSAL: (dt.time(16, 30), dt.time(17, 30)),
}
DEFAULT_SCHOOL_WEEKDAYS = [0, 1, 2, 3, 4]  # Monday .. Friday (Python's weekday numbers)
DEFAULT_BOARDING_NIGHTS = [0, 1, 2, 3, 6]  # Sunday .. Thursday night: boarders go home at the weekend


class SchoolProfile(Timestamped, Base):
    __tablename__ = "school_profiles"

    #: The school's id in the schools service.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid, Computed("id", persisted=True))
    # --- facts owned by the schools service (copied from its events; empty until the first one) ---
    code: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(120), default="")
    boarding: Mapped[bool] = mapped_column(Boolean, default=False)
    student_count: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # --- the school's own duty calendar ---
    school_weekdays: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), default=lambda: list(DEFAULT_SCHOOL_WEEKDAYS)
    )
    boarding_nights: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), default=lambda: list(DEFAULT_BOARDING_NIGHTS)
    )
    duty_peaks: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=lambda: [p.value for p in Peak])
    arrival_start: Mapped[dt.time] = mapped_column(Time, default=DEFAULT_PEAK_TIMES[Peak.ARRIVAL][0])
    arrival_end: Mapped[dt.time] = mapped_column(Time, default=DEFAULT_PEAK_TIMES[Peak.ARRIVAL][1])
    noon_start: Mapped[dt.time] = mapped_column(Time, default=DEFAULT_PEAK_TIMES[Peak.NOON][0])
    noon_end: Mapped[dt.time] = mapped_column(Time, default=DEFAULT_PEAK_TIMES[Peak.NOON][1])
    dismissal_start: Mapped[dt.time] = mapped_column(Time, default=DEFAULT_PEAK_TIMES[Peak.DISMISSAL][0])
    dismissal_end: Mapped[dt.time] = mapped_column(Time, default=DEFAULT_PEAK_TIMES[Peak.DISMISSAL][1])

    def peak_window(self, peak: Peak) -> tuple[dt.time, dt.time]:
        return getattr(self, f"{peak.value}_start"), getattr(self, f"{peak.value}_end")

    @property
    def peaks(self) -> list[Peak]:
        return [Peak(p) for p in self.duty_peaks]


class Gate(SchoolOwned, Timestamped, Base):
    __tablename__ = "gates"

    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[GateKind] = mapped_column(str_enum(GateKind, "gate_kind"), default=GateKind.MAIN)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


def new_profile(county_id: uuid.UUID, school_id: uuid.UUID) -> SchoolProfile:
    """A profile with the defaults, for a school whose facts have not arrived yet."""
    profile = SchoolProfile(
        id=school_id,
        county_id=county_id,
        code="",
        name="",
        boarding=False,
        student_count=0,
        active=True,
        school_weekdays=list(DEFAULT_SCHOOL_WEEKDAYS),
        boarding_nights=list(DEFAULT_BOARDING_NIGHTS),
        duty_peaks=[p.value for p in Peak],
    )
    for peak, (start, end) in DEFAULT_PEAK_TIMES.items():
        setattr(profile, f"{peak.value}_start", start)
        setattr(profile, f"{peak.value}_end", end)
    return profile


__all__ = ["Gate", "GateKind", "Peak", "SchoolProfile", "new_profile"]
