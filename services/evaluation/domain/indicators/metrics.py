"""The objective metrics the evaluation service computes from the other services' events.

A rubric's objective indicator names one of these keys. A *ratio* is a share in [0, 1] (its figures hold
the numerator and the denominator; when nothing was due the ratio is 1: nothing was missed); a *count*
is a number of bad things (each costs the indicator ``deduction_per_unit`` points; by default all of
them). A veto item may name a count metric and a threshold.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class MetricKind(enum.StrEnum):
    RATIO = "ratio"
    COUNT = "count"


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    kind: MetricKind
    title: str
    title_zh: str
    #: What the figures are (shown next to every indicator computed from this metric).
    explanation: str


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "hazards.closed_on_time",
            MetricKind.RATIO,
            "Hazards closed on time",
            "隐患按期整改率",
            "hazards closed by their deadline / hazards closed",
        ),
        Metric(
            "hazards.overdue",
            MetricKind.COUNT,
            "Overdue hazards",
            "逾期未整改隐患",
            "hazards past their rectification deadline and not closed",
        ),
        Metric(
            "hazards.listed_open",
            MetricKind.COUNT,
            "Listed hazards still open",
            "挂牌督办未销号隐患",
            "hazards listed for supervision by the bureau and not yet closed",
        ),
        Metric(
            "hazards.incidents",
            MetricKind.COUNT,
            "Security incidents",
            "校园安全事件",
            "security incidents recorded this year",
        ),
        Metric(
            "hazards.major_incidents",
            MetricKind.COUNT,
            "Major safety accidents and criminal cases",
            "重大安全责任事故及刑事案件",
            "incidents of type criminal, fire or food poisoning, or with people injured",
        ),
        Metric(
            "schools.drills_per_plan",
            MetricKind.RATIO,
            "Emergency drills held per plan this term",
            "应急演练按计划完成率",
            "drills held this term / drills planned this term",
        ),
        Metric(
            "schools.phases_on_time",
            MetricKind.RATIO,
            "Campaign phases completed on time",
            "专项整治阶段按期完成率",
            "phases closed by their deadline / phases due",
        ),
        Metric(
            "personnel.duty_coverage",
            MetricKind.RATIO,
            "Gate duty coverage",
            "护学岗到岗率",
            "duty slots checked in / duty slots rostered",
        ),
        Metric(
            "personnel.night_inspection_coverage",
            MetricKind.RATIO,
            "Dormitory night-inspection coverage",
            "宿舍夜间巡查覆盖率",
            "nights inspected / nights required",
        ),
        Metric(
            "personnel.staffing_missing",
            MetricKind.COUNT,
            "Security staff missing",
            "安保人员缺额",
            "people missing against the county's security staffing standard",
        ),
    )
}
