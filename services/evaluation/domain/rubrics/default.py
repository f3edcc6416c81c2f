"""The default rubric, built from the seed plan's objectives and measures (``shared/seed``).

Every indicator traces to a sentence of the plan: the five phases ("leading group … implementation
plans", "investigation … without leaving dead ends", "centralised remediation"), the measures of the
remediation phase (security staffing, video surveillance linked to 110, visitor registration, no
flammables, gate duty, safety education, students of concern, dormitory night inspections, drills, paid
tutoring, food hygiene, fire safety) and the objectives ("hidden dangers basically eliminated, criminal
cases have not occurred", "a long-term mechanism … established").
"""

from __future__ import annotations

from evaluation.domain.rubrics.schemas import (
    BonusItem,
    Category,
    Indicator,
    IndicatorSource,
    RubricDefinition,
    VetoItem,
)

OBJECTIVE = IndicatorSource.OBJECTIVE


def default_rubric() -> RubricDefinition:
    return RubricDefinition(
        title="学校安全专项治理考评细则 / School safety special governance rubric",
        categories=[
            Category(
                code="org",
                title="组织领导与责任落实 / Organisation and responsibility",
                weight=15,
                indicators=[
                    Indicator(
                        code="org.deployment",
                        title="成立领导小组、召开部署会议、制定实施方案 / Leading group, deployment meeting, implementation plan",
                        max_points=5,
                        guidance="领导小组由校长任组长，成员分工明确；部署会议有纪要；实施方案切合本校实际。",
                        required_evidence=[
                            "领导小组文件 / leading group notice",
                            "会议纪要 / meeting minutes",
                            "实施方案 / implementation plan",
                        ],
                    ),
                    Indicator(
                        code="org.responsibility",
                        title="校长是校园安全第一责任人，安全责任制落实 / Principal as first person responsible; responsibility system",
                        max_points=5,
                        guidance="“谁主管谁负责”：责任书层层签订，岗位职责到人。",
                        required_evidence=["安全责任书 / responsibility agreements"],
                    ),
                    Indicator(
                        code="org.phases",
                        title="专项治理各阶段按期完成 / Campaign phases completed on time",
                        max_points=5,
                        source=OBJECTIVE,
                        metric="schools.phases_on_time",
                    ),
                ],
            ),
            Category(
                code="inv",
                title="隐患排查与集中整治 / Investigation and remediation",
                weight=25,
                indicators=[
                    Indicator(
                        code="inv.no_dead_ends",
                        title="全面排查校园及周边安全隐患，不留死角 / Every area and the surroundings investigated, no dead ends",
                        max_points=6,
                        guidance="校门、教学楼、实验室、宿舍、食堂、运动场、配电房及周边经营场所、流动摊贩、违章建筑、交通逐一排查并签字。",
                        required_evidence=["排查记录 / patrol sign-offs", "排查报告 / investigation report"],
                    ),
                    Indicator(
                        code="inv.closed_on_time",
                        title="隐患按期整改销号 / Hazards closed by their deadline",
                        max_points=8,
                        source=OBJECTIVE,
                        metric="hazards.closed_on_time",
                    ),
                    Indicator(
                        code="inv.overdue",
                        title="无逾期未整改隐患 / No overdue hazards",
                        max_points=6,
                        source=OBJECTIVE,
                        metric="hazards.overdue",
                        deduction_per_unit=2,
                    ),
                    Indicator(
                        code="inv.listed",
                        title="挂牌督办隐患按期销号 / Listed hazards closed",
                        max_points=5,
                        source=OBJECTIVE,
                        metric="hazards.listed_open",
                        deduction_per_unit=2.5,
                    ),
                ],
            ),
            Category(
                code="sec",
                title="安保力量与技防设施 / Security staffing and facilities",
                weight=20,
                indicators=[
                    Indicator(
                        code="sec.staffing",
                        title="按要求配齐安保人员、组建护校队 / Security staff and security team as required",
                        max_points=6,
                        source=OBJECTIVE,
                        metric="personnel.staffing_missing",
                        deduction_per_unit=2,
                    ),
                    Indicator(
                        code="sec.video",
                        title="校门等重点部位安装视频监控并与110联网 / Video surveillance at key areas linked to 110",
                        max_points=5,
                        guidance="现场查看监控画面与联网报警测试记录。",
                        required_evidence=["监控点位图 / camera map", "联网测试记录 / 110 link test"],
                    ),
                    Indicator(
                        code="sec.visitors",
                        title="外来人员登记核验，无关人员和校外机动车不得入校 / Visitor registration; no unrelated people or outside vehicles",
                        max_points=5,
                        guidance="抽查门卫登记簿与核验记录，现场观察车辆管理。",
                        required_evidence=["来访登记 / visitor register"],
                    ),
                    Indicator(
                        code="sec.flammables",
                        title="校园内无非教学用易燃易爆物品 / No non-teaching flammable or explosive materials",
                        max_points=4,
                        guidance="实验室危化品双人双锁管理，其他场所无易燃易爆物品。",
                    ),
                ],
            ),
            Category(
                code="duty",
                title="护学值守与宿舍管理 / Gate duty and dormitories",
                weight=15,
                indicators=[
                    Indicator(
                        code="duty.gate",
                        title="上学放学时段领导、教师、保安到校门值守 / Leaders, teachers and guards at the gate at arrival and dismissal",
                        max_points=6,
                        source=OBJECTIVE,
                        metric="personnel.duty_coverage",
                    ),
                    Indicator(
                        code="duty.night",
                        title="宿舍夜间巡查，重点加强女生宿舍管理 / Dormitory night inspections, female dormitories first",
                        max_points=5,
                        source=OBJECTIVE,
                        metric="personnel.night_inspection_coverage",
                    ),
                    Indicator(
                        code="duty.dormitory",
                        title="宿舍管理制度健全、教师值守责任落实 / Dormitory rules and teachers' duty in force",
                        max_points=4,
                        guidance="无寄宿生的学校按满分计。",
                        required_evidence=["宿舍管理制度 / dormitory rules", "值班记录 / duty log"],
                    ),
                ],
            ),
            Category(
                code="edu",
                title="安全教育、关爱与应急 / Education, care and emergencies",
                weight=15,
                indicators=[
                    Indicator(
                        code="edu.education",
                        title="师生安全教育，提高自我防范能力 / Safety education of teachers and students",
                        max_points=4,
                        required_evidence=["教育记录 / education records"],
                    ),
                    Indicator(
                        code="edu.concern",
                        title="心理问题、自卑、躁动等特殊学生的关爱与管控 / Care for students of concern",
                        max_points=4,
                        guidance="建档、专人负责、定期回访；不查阅学生姓名，只核对制度与台账完整性。",
                    ),
                    Indicator(
                        code="edu.drills",
                        title="制定应急预案并按计划开展演练 / Emergency plans and drills as planned",
                        max_points=4,
                        source=OBJECTIVE,
                        metric="schools.drills_per_plan",
                    ),
                    Indicator(
                        code="edu.tutoring",
                        title="杜绝教师有偿补课现象 / No paid tutoring by teachers",
                        max_points=3,
                    ),
                ],
            ),
            Category(
                code="safe",
                title="食品卫生与消防安全 / Food hygiene and fire safety",
                weight=10,
                indicators=[
                    Indicator(
                        code="safe.food",
                        title="食品卫生管理，预防食物中毒 / Food hygiene; food poisoning prevented",
                        max_points=5,
                        required_evidence=[
                            "食品留样记录 / food sample log",
                            "从业人员健康证 / staff health certificates",
                        ],
                    ),
                    Indicator(
                        code="safe.fire",
                        title="宿舍、食堂等人员密集场所经常性消防检查 / Regular fire safety checks of dormitories and canteens",
                        max_points=5,
                        required_evidence=["消防检查记录 / fire check log"],
                    ),
                ],
            ),
        ],
        bonus_items=[
            BonusItem(
                code="bonus.mechanism",
                title="长效机制健全（领导、工作、监督、考评、问责） / Long-term mechanisms in place",
                max_points=3,
                required_evidence=["巩固提高阶段总结 / consolidation summary"],
            ),
            BonusItem(
                code="bonus.model",
                title="创建平安校园示范校成效突出 / Outstanding safe-campus model school",
                max_points=2,
            ),
        ],
        veto_items=[
            VetoItem(
                code="veto.major_accident",
                title="发生重大安全责任事故或刑事案件 / A major safety accident or a criminal case",
                metric="hazards.major_incidents",
                threshold=1,
            ),
            VetoItem(
                code="veto.concealment",
                title="瞒报、谎报安全事故或隐患 / Concealing or misreporting an accident or a hazard",
                guidance="由检查组核实后认定。",
            ),
        ],
        bonus_cap=5,
    )
