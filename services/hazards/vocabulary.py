"""The words of the hazards service: campus areas, hazard categories, severities, sources, outside
departments and incident kinds, each with its Chinese and English label (exports, notices, the portal)."""

from __future__ import annotations

import enum
import zoneinfo

#: Deadlines are calendar days at the school: a deadline ends at midnight, Beijing time.
LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


class Area(enum.StrEnum):
    """The campus areas an investigation patrol covers "without leaving dead ends"."""

    GATE = "gate"
    TEACHING_BUILDINGS = "teaching_buildings"
    LABS = "labs"
    DORMITORIES = "dormitories"
    CANTEEN = "canteen"
    PLAYGROUND_SPORTS = "playground_sports"
    ELECTRICAL_ROOMS = "electrical_rooms"
    SURROUNDINGS = "surroundings"


class Category(enum.StrEnum):
    BUILDINGS_FACILITIES = "buildings_facilities"
    FIRE = "fire"
    ELECTRICAL = "electrical"
    FOOD_HYGIENE = "food_hygiene"
    TRAFFIC = "traffic"
    DORMITORY = "dormitory"
    LAB_CHEMICALS = "lab_chemicals"
    SURROUNDINGS_BUSINESS = "surroundings_business"
    SURROUNDINGS_VENDORS = "surroundings_vendors"
    SURROUNDINGS_ILLEGAL_BUILDINGS = "surroundings_illegal_buildings"
    PERSONNEL = "personnel"
    OTHER = "other"


class Severity(enum.StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class Source(enum.StrEnum):
    INVESTIGATION = "investigation"
    DAILY_PATROL = "daily_patrol"
    STAFF_REPORT = "staff_report"
    BUREAU_INSPECTION = "bureau_inspection"
    PUBLIC_REPORT = "public_report"


class Department(enum.StrEnum):
    """Outside departments a hazard beyond the school's power is referred to."""

    PUBLIC_SECURITY = "public_security"
    MARKET_SUPERVISION = "market_supervision"
    URBAN_MANAGEMENT = "urban_management"
    FIRE_SERVICE = "fire_service"
    TRANSPORT = "transport"
    OTHER = "other"


class IncidentKind(enum.StrEnum):
    CRIMINAL = "criminal"
    PUBLIC_ORDER = "public_order"
    INJURY = "injury"
    FOOD_POISONING = "food_poisoning"
    FIRE = "fire"
    OTHER = "other"


LABELS: dict[str, tuple[str, str]] = {
    # areas
    "gate": ("校门", "Gate"),
    "teaching_buildings": ("教学楼", "Teaching buildings"),
    "labs": ("实验室", "Laboratories"),
    "dormitories": ("宿舍", "Dormitories"),
    "canteen": ("食堂", "Canteen"),
    "playground_sports": ("操场及体育设施", "Playground and sports facilities"),
    "electrical_rooms": ("配电房", "Electrical rooms"),
    "surroundings": ("校园周边", "Surroundings"),
    # categories
    "buildings_facilities": ("校舍及设施", "Buildings and facilities"),
    "fire": ("消防", "Fire"),
    "electrical": ("用电", "Electrical"),
    "food_hygiene": ("食品卫生", "Food hygiene"),
    "traffic": ("交通", "Traffic"),
    "dormitory": ("宿舍管理", "Dormitory"),
    "lab_chemicals": ("实验室危化品", "Laboratory chemicals"),
    "surroundings_business": ("周边经营场所", "Surroundings: business premises"),
    "surroundings_vendors": ("周边流动摊贩", "Surroundings: street vendors"),
    "surroundings_illegal_buildings": ("周边违章建筑", "Surroundings: illegal buildings"),
    "personnel": ("人员", "Personnel"),
    "other": ("其他", "Other"),
    # severities
    "general": ("一般隐患", "General"),
    "major": ("重大隐患", "Major"),
    # sources
    "investigation": ("集中排查", "Investigation"),
    "daily_patrol": ("日常巡查", "Daily patrol"),
    "staff_report": ("教职工报告", "Staff report"),
    "bureau_inspection": ("教育局检查", "Bureau inspection"),
    "public_report": ("公众举报", "Public report"),
    # statuses
    "reported": ("已上报", "Reported"),
    "confirmed": ("已确认", "Confirmed"),
    "rejected": ("已驳回（不属隐患）", "Rejected (not a hazard)"),
    "rectifying": ("整改中", "Rectifying"),
    "rectified": ("已整改待验收", "Rectified, awaiting verification"),
    "verified": ("已验收待教育局销号", "Verified, awaiting bureau sign-off"),
    "closed": ("已销号", "Closed"),
    # departments
    "public_security": ("公安", "Public security"),
    "market_supervision": ("市场监管", "Market supervision"),
    "urban_management": ("城管", "Urban management"),
    "fire_service": ("消防救援", "Fire service"),
    "transport": ("交通运输", "Transport"),
    # incident kinds
    "criminal": ("刑事案件", "Criminal"),
    "public_order": ("治安案件", "Public order"),
    "injury": ("伤害事故", "Injury"),
    "food_poisoning": ("食物中毒", "Food poisoning"),
}


def label(value: str, lang: str = "zh") -> str:
    """The display label of a vocabulary value (``lang``: ``zh`` or ``en``); unknown values as they are."""
    pair = LABELS.get(value)
    if pair is None:
        return value
    return pair[1] if lang == "en" else pair[0]
