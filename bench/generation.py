"""``bench/generate``: a county-scale data set written into the services' own tables.

The database is bootstrapped and migrated with the project's own code (``safecampus db bootstrap`` /
``db migrate``), then filled as the administrator (which RLS does not restrict) with set-based
``INSERT … SELECT generate_series`` statements: a million rows is a few seconds of server time, where
the ORM would take hours. Every row has a stable id (``md5`` of what it is), and each step checks what is
already there, so a rerun completes what is missing and leaves a finished step alone.

Written directly, so no audit entries, outbox events or notifications are produced for the generated
rows; the read paths the benchmark measures do not depend on them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.common import DEFAULT_DB, Scale, admin_url, point_settings_at, stable_id, with_database

#: Where the last run's timings are kept (``bench/run`` reports the generator's target from them).
DATA = Path(__file__).resolve().parents[1] / ".data" / "bench"
#: Schools written by one statement: big enough to be set-based, small enough for a moving progress bar.
CHUNK = 10

SCHOOL_KINDS = ("primary", "junior_secondary", "senior_secondary", "nine_year", "kindergarten", "vocational")
PHASES = ("deployment", "investigation", "remediation", "acceptance", "consolidation")

# The SQL expressions of a school's id and code, the same as Scale.school_id / Scale.school_code.
# Parameters: $1 label, $2 county number; ``n`` is the school's number.
SCHOOL_ID_SQL = "md5(concat_ws(':', $1::text, 'school', $2::int, n))::uuid"
SCHOOL_CODE_SQL = "($1::text || lpad($2::text, 2, '0') || 's' || lpad(n::text, 4, '0'))"
COUNTY_ID_SQL = "md5(concat_ws(':', $1::text, 'county', $2::int))::uuid"
SCHOOLS_SQL = (
    f"(SELECT n, {SCHOOL_ID_SQL} AS sid, {SCHOOL_CODE_SQL} AS code FROM generate_series($3::int, $4::int) n)"
)


@dataclass(frozen=True, slots=True)
class TableStep:
    """Rows of one big tenant table, written per chunk of schools by ``sql`` (parameters: $1 label,
    $2 county number, $3/$4 first/last school number, $5 rows per school)."""

    name: str
    table: str
    per_school: Callable[[Scale], int]
    sql: str
    #: Tables whose rows of the county depend on this one's (deleted first on a redo).
    dependants: tuple[str, ...] = ()


HAZARDS_SQL = f"""
INSERT INTO hazards.hazards (
    id, county_id, school_id, number, year, title, description, category, area, location_text, severity,
    source, status, status_reason, reported_by, reported_by_name, reported_at, responsible_id,
    responsible_name, checker_id, checker_name, plan, deadline, rectified_by, rectified_by_name,
    rectified_at, verified_by, verified_by_name, verified_at, closed_at, listed_at, listed_by,
    listed_by_name, listed_official, listed_deadline, created_at, updated_at)
SELECT id, county, sid, code || '-' || extract(year FROM reported_at)::int || '-' || lpad(g::text, 5, '0'),
    extract(year FROM reported_at)::int,
    (ARRAY['楼梯扶手松动', '灭火器过期', '配电箱未上锁', '围墙裂缝', '食堂消毒记录缺失', '宿舍私拉电线',
           '校门口占道经营', '实验室药品未双人双锁'])[1 + (g + n) % 8] || ' #' || g,
    '生成的隐患描述 / generated description',
    (ARRAY['buildings_facilities', 'fire', 'electrical', 'food_hygiene', 'traffic', 'dormitory',
           'lab_chemicals', 'surroundings_business', 'surroundings_vendors',
           'surroundings_illegal_buildings', 'personnel', 'other'])[1 + (g * 7 + n) % 12],
    (ARRAY['gate', 'teaching_buildings', 'labs', 'dormitories', 'canteen', 'playground_sports',
           'electrical_rooms', 'surroundings'])[1 + (g * 3 + n) % 8],
    '教学楼 ' || (1 + g % 5) || ' 层',
    CASE WHEN b % 10 = 0 THEN 'major' ELSE 'general' END,
    (ARRAY['investigation', 'daily_patrol', 'staff_report', 'bureau_inspection', 'public_report'])[1 + b % 5],
    status,
    CASE WHEN status = 'rejected' THEN '不属于隐患' ELSE '' END,
    'bench-teacher', '教师', reported_at,
    CASE WHEN deadline IS NOT NULL THEN 'bench-responsible' END,
    CASE WHEN deadline IS NOT NULL THEN '责任人' ELSE '' END,
    NULL, '', CASE WHEN deadline IS NOT NULL THEN '限期整改' ELSE '' END, deadline,
    CASE WHEN rectified THEN 'bench-responsible' END, CASE WHEN rectified THEN '责任人' ELSE '' END,
    CASE WHEN rectified THEN reported_at + interval '10 days' END,
    CASE WHEN verified THEN 'bench-checker' END, CASE WHEN verified THEN '复查人' ELSE '' END,
    CASE WHEN verified THEN reported_at + interval '12 days' END,
    CASE WHEN status IN ('closed', 'rejected') THEN reported_at + interval '14 days' END,
    CASE WHEN listed THEN reported_at + interval '2 days' END,
    CASE WHEN listed THEN 'bench-bureau' END, CASE WHEN listed THEN '教育局' ELSE '' END,
    CASE WHEN listed THEN '督办人' ELSE '' END,
    CASE WHEN listed THEN (reported_at + interval '40 days')::date END,
    reported_at, reported_at
FROM (
    SELECT *, status IN ('rectified', 'verified', 'closed') AS rectified, status IN ('verified', 'closed') AS verified,
        CASE WHEN status IN ('rectifying', 'rectified', 'verified', 'closed')
             THEN (reported_at + interval '30 days')::date END AS deadline,
        status IN ('confirmed', 'rectifying', 'rectified', 'verified') AND g % 331 = 0 AS listed
    FROM (
        SELECT s.n, s.sid, s.code, g, {COUNTY_ID_SQL} AS county, (g * 37 + s.n * 11) % 100 AS b,
            md5(concat_ws(':', $1::text, 'hazard', s.sid, g))::uuid AS id,
            now() - (($5::int - g) * interval '365 days') / $5::int - (g % 7) * interval '1 hour' AS reported_at,
            CASE WHEN (g * 37 + s.n * 11) % 100 < 5 THEN 'reported'
                 WHEN (g * 37 + s.n * 11) % 100 < 10 THEN 'confirmed'
                 WHEN (g * 37 + s.n * 11) % 100 < 15 THEN 'rejected'
                 WHEN (g * 37 + s.n * 11) % 100 < 30 THEN 'rectifying'
                 WHEN (g * 37 + s.n * 11) % 100 < 35 THEN 'rectified'
                 WHEN (g * 37 + s.n * 11) % 100 < 38 THEN 'verified'
                 ELSE 'closed' END AS status
        FROM {SCHOOLS_SQL} s CROSS JOIN generate_series(1, $5::int) g
    ) raw
) h
"""

# One history line per hazard: its report (the life cycle's later lines are not needed by the reads).
HISTORY_SQL = f"""
INSERT INTO hazards.hazard_history (id, county_id, school_id, hazard_id, at, actor_id, actor_name,
    actor_roles, action, from_status, to_status, reason, details)
SELECT md5('history:' || h.id)::uuid, h.county_id, h.school_id, h.id, h.reported_at, h.reported_by,
    h.reported_by_name, 'teacher', 'report', NULL, 'reported', '', '{{}}'::jsonb
FROM hazards.hazards h JOIN {SCHOOLS_SQL} s ON h.school_id = s.sid
WHERE $5::int > 0
"""

# The next number of each school and year follows the generated ones.
COUNTERS_SQL = f"""
INSERT INTO hazards.hazard_counters (school_id, year, county_id, last)
SELECT h.school_id, h.year, h.county_id, max(split_part(h.number, '-', 3)::int)
FROM hazards.hazards h JOIN {SCHOOLS_SQL} s ON h.school_id = s.sid
WHERE $5::int > 0
GROUP BY h.school_id, h.year, h.county_id
ON CONFLICT (school_id, year) DO UPDATE SET last = greatest(hazard_counters.last, excluded.last)
"""

STAFF_SQL = f"""
INSERT INTO personnel.staff (id, county_id, school_id, role, name, phone, email, username, positions, status,
    account_status, invited_by)
SELECT md5(concat_ws(':', $1::text, 'staff', s.sid, g))::uuid, {COUNTY_ID_SQL}, s.sid,
    CASE WHEN g = 1 THEN 'principal' WHEN g <= 5 THEN 'guard' ELSE 'teacher' END,
    (ARRAY['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'])[1 + g % 10]
        || (ARRAY['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇'])[1 + (g / 10) % 10] || g,
    '1380000' || lpad(g::text, 4, '0'), s.code || '.' || g || '@bench.example', s.code || '.' || g,
    CASE WHEN g <= 5 THEN ARRAY['security_team_member']::varchar[] ELSE '{{}}'::varchar[] END,
    'active', 'ready', 'bench'
FROM {SCHOOLS_SQL} s CROSS JOIN generate_series(1, $5::int) g
"""

GATES_SQL = f"""
INSERT INTO personnel.gates (id, county_id, school_id, name, kind, active)
SELECT md5(concat_ws(':', $1::text, 'gate', s.sid, g))::uuid, {COUNTY_ID_SQL}, s.sid,
    (ARRAY['正门', '侧门', '车辆门'])[g], (ARRAY['main', 'side', 'vehicle'])[g], true
FROM {SCHOOLS_SQL} s CROSS JOIN generate_series(1, least($5::int, 3)) g
"""

# Visits over the last year, newest last; today's still at the gate. Identity numbers older than 30 days
# are purged, as the retention job does.
VISITS_SQL = f"""
INSERT INTO personnel.visits (id, county_id, school_id, visitor_name, id_type, id_number_cipher,
    id_number_digest, id_number_masked, id_purged_at, phone, organisation, purpose, party_size, host_name,
    plate, status, registered_at, registered_by, verified_at, verified_by, verification_method,
    entered_at, left_at)
SELECT id, county, sid, visitor, 'resident_id',
    CASE WHEN purged THEN NULL ELSE decode(md5('c' || id), 'hex') END,
    CASE WHEN purged THEN NULL ELSE decode(md5('d' || id), 'hex') END,
    '2201**********' || lpad((g % 10000)::text, 4, '0'),
    CASE WHEN purged THEN registered_at + interval '30 days' END,
    '1390000' || lpad((g % 10000)::text, 4, '0'), '供货单位', '送货 / delivery', 1 + g % 3, '总务处',
    CASE WHEN g % 4 = 0 THEN '吉J' || lpad((g % 100000)::text, 5, '0') ELSE '' END,
    status, registered_at, 'bench-guard',
    CASE WHEN status IN ('verified', 'inside', 'left') THEN registered_at + interval '3 minutes' END,
    CASE WHEN status IN ('verified', 'inside', 'left') THEN 'bench-guard' ELSE '' END,
    CASE WHEN status IN ('verified', 'inside', 'left') THEN 'phone_call' END,
    CASE WHEN status IN ('inside', 'left') THEN registered_at + interval '5 minutes' END,
    CASE WHEN status = 'left' THEN registered_at + interval '50 minutes' END
FROM (
    SELECT s.sid, g, {COUNTY_ID_SQL} AS county,
        md5(concat_ws(':', $1::text, 'visit', s.sid, g))::uuid AS id,
        (ARRAY['王', '李', '张', '刘', '陈'])[1 + g % 5] || '访客' || g AS visitor,
        registered_at, registered_at < now() - interval '30 days' AS purged,
        CASE WHEN registered_at < now() - interval '1 day' THEN 'left'
             ELSE (ARRAY['registered', 'verified', 'inside', 'left'])[1 + g % 4] END AS status
    FROM {SCHOOLS_SQL} s CROSS JOIN generate_series(1, $5::int) g
    CROSS JOIN LATERAL (
        SELECT now() - (($5::int - g) * interval '365 days') / $5::int - interval '1 minute' AS registered_at
    ) t
) v
"""

BIG_STEPS = (
    TableStep("staff", "personnel.staff", lambda s: s.per_school(s.staff), STAFF_SQL),
    TableStep("gates", "personnel.gates", lambda s: 3, GATES_SQL),
    TableStep("visits", "personnel.visits", lambda s: s.per_school(s.visits), VISITS_SQL),
    TableStep(
        "hazards",
        "hazards.hazards",
        lambda s: s.per_school(s.hazards),
        HAZARDS_SQL,
        dependants=("hazards.hazard_history", "hazards.hazard_counters"),
    ),
    TableStep("hazard history", "hazards.hazard_history", lambda s: s.per_school(s.hazards), HISTORY_SQL),
)


# --- the small tables (a few hundred rows per county) -----------------------------------------------------
def school_rows(scale: Scale, county: int) -> list[tuple[object, ...]]:
    rng = random.Random(f"{scale.label}{county}")
    rows = []
    for n in range(1, scale.schools + 1):
        code = scale.school_code(county, n)
        kind = SCHOOL_KINDS[n % len(SCHOOL_KINDS)]
        rows.append(
            (
                scale.school_id(county, n),
                scale.county_id(county),
                code,
                f"第{n}学校 {code}",
                kind,
                kind in ("senior_secondary", "vocational"),
                rng.randint(150, 3000),
                f"{n} 号路",
                f"校长{n}",
                f"{code}.principal@bench.example",
                f"{code}.principal",
            )
        )
    return rows


async def small_tables(conn: asyncpg.Connection, scale: Scale, county: int) -> None:
    """County, schools, the service directories, the school campaign and its phases (idempotent upserts)."""
    county_id = scale.county_id(county)
    code = scale.county_code(county)
    await conn.execute(
        "INSERT INTO schools.counties (id, code, name, name_en, locale) VALUES ($1, $2, $3, $4, 'zh-Hans')"
        " ON CONFLICT (id) DO NOTHING",
        county_id,
        code,
        f"基准县{county}",
        f"Bench County {county}",
    )
    schools = school_rows(scale, county)
    await conn.executemany(
        "INSERT INTO schools.schools (id, county_id, code, name, kind, boarding, student_count, address,"
        " principal_name, principal_email, principal_username, status, provisioning_status)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', 'done') ON CONFLICT (id) DO NOTHING",
        schools,
    )
    directory = [(r[0], r[1], r[2], r[3]) for r in schools]
    await conn.executemany(
        "INSERT INTO hazards.school_directory (school_id, county_id, code, name) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (school_id) DO NOTHING",
        directory,
    )
    await conn.executemany(
        "INSERT INTO evaluation.schools (id, county_id, code, name, kind, active, as_of)"
        " VALUES ($1, $2, $3, $4, $5, true, now()) ON CONFLICT (id) DO NOTHING",
        [(r[0], r[1], r[2], r[3], r[4]) for r in schools],
    )
    await conn.executemany(
        "INSERT INTO personnel.school_profiles (id, county_id, code, name, boarding, student_count, active,"
        " synced_at, school_weekdays, boarding_nights, duty_peaks, arrival_start, arrival_end, noon_start,"
        " noon_end, dismissal_start, dismissal_end)"
        " VALUES ($1, $2, $3, $4, $5, $6, true, now(), '{0,1,2,3,4}', $7, '{arrival,noon,dismissal}',"
        " '07:00', '08:00', '11:30', '12:30', '16:30', '17:30') ON CONFLICT (id) DO NOTHING",
        [(r[0], r[1], r[2], r[3], r[5], r[6], [0, 1, 2, 3, 6] if r[5] else []) for r in schools],
    )
    await campaign(conn, scale, county, schools)


async def campaign(
    conn: asyncpg.Connection, scale: Scale, county: int, schools: list[tuple[object, ...]]
) -> None:
    """The county's launched campaign, every school in one of its five phases."""
    from schools.domain.campaigns.vocabulary import CATALOGUE, Phase

    county_id = scale.county_id(county)
    campaign_id = scale.campaign_id(county)
    today = dt.date.today()
    start = today - dt.timedelta(days=120)
    await conn.execute(
        "INSERT INTO schools.campaigns (id, county_id, title, description, start_date, status, created_by,"
        " created_by_name, launched_at, launched_by_name) VALUES ($1, $2, $3, '', $4, 'launched', 'bench',"
        " '教育局', now() - interval '120 days', '教育局') ON CONFLICT (id) DO NOTHING",
        campaign_id,
        county_id,
        f"{today.year} 年学校安全专项治理",
        start,
    )
    await conn.executemany(
        "INSERT INTO schools.campaign_phases (id, county_id, campaign_id, phase, position, deadline, required)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        [
            (
                stable_id(campaign_id, phase),
                county_id,
                campaign_id,
                phase,
                i,
                start + dt.timedelta(days=30 * (i + 1)),
                [d.value for d in CATALOGUE[Phase(phase)]],
            )
            for i, phase in enumerate(PHASES)
        ],
    )
    instances, phases = [], []
    for n, school in enumerate(schools, start=1):
        school_id = school[0]
        current = n % len(PHASES)
        instance = stable_id(campaign_id, school_id)
        instances.append((instance, county_id, school_id, campaign_id, PHASES[current]))
        for i, phase in enumerate(PHASES):
            status = "closed" if i < current else "open" if i == current else "pending"
            phases.append((stable_id(instance, phase), county_id, school_id, instance, phase, i, status))
    await conn.executemany(
        "INSERT INTO schools.school_campaigns (id, county_id, school_id, campaign_id, status, current_phase,"
        " joined_at) VALUES ($1, $2, $3, $4, 'active', $5, now() - interval '120 days')"
        " ON CONFLICT (id) DO NOTHING",
        instances,
    )
    await conn.executemany(
        "INSERT INTO schools.school_campaign_phases (id, county_id, school_id, school_campaign_id, phase,"
        " position, status, opened_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7::varchar,"
        " CASE WHEN $7::text <> 'pending' THEN now() - interval '100 days' END,"
        " CASE WHEN $7::text = 'closed' THEN now() - interval '20 days' END) ON CONFLICT (id) DO NOTHING",
        phases,
    )


def rubric_definition(indicators: int) -> dict[str, object]:
    """A rubric of ``indicators`` inspection indicators in up to 12 categories, weights adding up to 100."""
    from evaluation.domain.rubrics.schemas import Category, Indicator, RubricDefinition

    per_category = max(1, -(-indicators // 12))
    count = -(-indicators // per_category)
    weights = [100 // count] * count
    weights[0] += 100 - sum(weights)
    categories = []
    for c in range(count):
        first = c * per_category
        items = [
            Indicator(code=f"c{c + 1}.i{i + 1}", title=f"指标 {i + 1} / indicator {i + 1}", max_points=5)
            for i in range(first, min(indicators, first + per_category))
        ]
        categories.append(
            Category(code=f"c{c + 1}", title=f"类别 {c + 1}", weight=weights[c], indicators=items)
        )
    import msgspec

    return msgspec.to_builtins(RubricDefinition(title="基准考评细则 / bench rubric", categories=categories))


def half_points(points: float, maximum: float) -> float:
    """``points`` rounded to half a point, within 0 … ``maximum``."""
    return max(0.0, min(maximum, round(points * 2) / 2))


async def evaluation(conn: asyncpg.Connection, scale: Scale, county: int) -> None:
    """A finished evaluation: the rubric, the campaign, and every school's result computed by the
    evaluation service's own scoring and ranking (random inspection points per indicator)."""
    import msgspec

    from evaluation.domain.rankings.scoring import Entry, competition_ranks, score_school
    from evaluation.domain.rubrics.definition import Rubric

    county_id = scale.county_id(county)
    campaign_id = scale.campaign_id(county)
    done = await conn.fetchval(
        "SELECT count(*) FROM evaluation.school_results WHERE campaign_id = $1", campaign_id
    )
    if done == scale.schools:
        return
    document = rubric_definition(scale.indicators)
    rubric_id = stable_id(scale.label, "rubric", county, scale.indicators)
    await conn.execute(
        "INSERT INTO evaluation.rubrics (id, county_id, lineage_id, version, status, title, definition,"
        " created_by, published_at, published_by) VALUES ($1, $2, $1, 1, 'published', $3, $4::jsonb,"
        " 'bench', now(), 'bench') ON CONFLICT (id) DO NOTHING",
        rubric_id,
        county_id,
        document["title"],
        json.dumps(document),
    )
    await conn.execute(
        "INSERT INTO evaluation.campaigns (id, county_id, title, year, rubric_id, status) VALUES"
        " ($1, $2, $3, $4, $5, 'open') ON CONFLICT (id) DO UPDATE SET rubric_id = excluded.rubric_id",
        campaign_id,
        county_id,
        f"{dt.date.today().year} 年学校安全专项治理",
        dt.date.today().year,
        rubric_id,
    )
    rubric = Rubric.from_document(document)
    rng = random.Random(f"{scale.label}{county}eval")
    scores = {}
    for n in range(1, scale.schools + 1):
        skill = rng.uniform(0.5, 1.0)
        entries = {
            item.code: Entry(points=half_points(item.max_points * rng.gauss(skill, 0.15), item.max_points))
            for item in rubric.items
        }
        scores[n] = score_school(rubric, entries, {})
    ranks = competition_ranks((n, s.total, s.vetoed) for n, s in scores.items())
    rows = []
    for n, s in scores.items():
        rows.append(
            (
                stable_id(campaign_id, "result", n),
                county_id,
                scale.school_id(county, n),
                campaign_id,
                scale.school_code(county, n),
                f"第{n}学校 {scale.school_code(county, n)}",
                ranks[n],
                s.total,
                s.weighted,
                s.bonus,
                s.grade.value,
                s.vetoed,
                json.dumps(msgspec.to_builtins(list(s.veto_reasons))),
                json.dumps(msgspec.to_builtins(list(s.categories))),
                json.dumps(msgspec.to_builtins(list(s.items))),
                s.objective_pct,
            )
        )
    async with conn.transaction():
        await conn.execute("DELETE FROM evaluation.school_results WHERE campaign_id = $1", campaign_id)
        await conn.executemany(
            "INSERT INTO evaluation.school_results (id, county_id, school_id, campaign_id, school_code,"
            " school_name, rank, total, weighted, bonus, grade, vetoed, veto_reasons, categories, items,"
            " objective_pct, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
            " $13::jsonb, $14::jsonb, $15::jsonb, $16, now())",
            rows,
        )
        await conn.execute(
            "UPDATE evaluation.campaigns SET results_computed_at = now(), results_stale_since = NULL"
            " WHERE id = $1",
            campaign_id,
        )


# --- driver -------------------------------------------------------------------------------------------------
async def big_table(
    conn: asyncpg.Connection, scale: Scale, county: int, step: TableStep, advance: Callable[[int], None]
) -> int:
    """Fill ``step.table`` for one county, chunk by chunk; a chunk whose rows are all there is skipped.
    Returns how many chunks were written."""
    per_school = step.per_school(scale)
    written = 0
    for first in range(1, scale.schools + 1, CHUNK):
        last = min(scale.schools, first + CHUNK - 1)
        ids = [scale.school_id(county, n) for n in range(first, last + 1)]
        have = await conn.fetchval(
            f"SELECT count(*) FROM {step.table} WHERE school_id = ANY($1::uuid[])", ids
        )
        expected = per_school * len(ids)
        if have != expected:
            async with conn.transaction():
                for table in (*step.dependants, step.table):
                    await conn.execute(f"DELETE FROM {table} WHERE school_id = ANY($1::uuid[])", ids)
                await conn.execute(step.sql, scale.label, county, first, last, per_school)
                if step.table == "hazards.hazards":
                    await conn.execute(COUNTERS_SQL, scale.label, county, first, last, per_school)
            written += 1
        advance(len(ids))
    return written


async def prepare_database(dbname: str) -> None:
    """Roles, database and every service's migrations, with the project's own commands' code."""
    from safecampus.migrate import migrate_all
    from tenants.bootstrap import bootstrap_database

    point_settings_at(dbname)
    await bootstrap_database(admin_url(), dbname)
    await asyncio.to_thread(migrate_all)


async def generate(scale: Scale, dbname: str, console: Console | None = None) -> dict[str, float]:
    """Build (or complete) the data set; returns the seconds each step took, and under ``chunks written``
    how many chunks of the big tables had to be written (0: the data set was complete already)."""
    console = console or Console(stderr=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    await prepare_database(dbname)
    timings["bootstrap + migrate"] = time.perf_counter() - started
    conn = await asyncpg.connect(with_database(admin_url(), dbname))
    try:
        await conn.execute("SET synchronous_commit = off")
        with Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("schools"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            for county in range(1, scale.counties + 1):

                async def timed(name: str, work: Awaitable[object]) -> None:
                    begun = time.perf_counter()
                    written = await work
                    timings[name] = timings.get(name, 0.0) + time.perf_counter() - begun
                    if isinstance(written, int):
                        timings["chunks written"] = timings.get("chunks written", 0) + written

                small = progress.add_task(f"county {county}: schools, campaign", total=1)
                await timed("schools and campaign", small_tables(conn, scale, county))
                progress.advance(small)
                for step in BIG_STEPS:
                    task = progress.add_task(f"county {county}: {step.name}", total=scale.schools)
                    await timed(
                        step.name,
                        big_table(conn, scale, county, step, lambda k, t=task: progress.advance(t, k)),
                    )
                task = progress.add_task(f"county {county}: evaluation", total=1)
                await timed("evaluation", evaluation(conn, scale, county))
                progress.advance(task)
        begun = time.perf_counter()
        # Index-only scans (the tenant counts) need the visibility map that VACUUM writes.
        await conn.execute("VACUUM (ANALYZE)")
        timings["vacuum analyze"] = time.perf_counter() - begun
    finally:
        await conn.close()
    timings["total"] = time.perf_counter() - started
    return timings


def scale_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Scale()
    parser.add_argument("--counties", type=int, default=defaults.counties)
    parser.add_argument("--schools", type=int, default=defaults.schools, help="schools per county")
    parser.add_argument("--staff", type=int, default=defaults.staff, help="staff per county")
    parser.add_argument("--hazards", type=int, default=defaults.hazards, help="hazards per county")
    parser.add_argument("--visits", type=int, default=defaults.visits, help="visitor records per county")
    parser.add_argument("--indicators", type=int, default=defaults.indicators, help="rubric indicators")
    parser.add_argument("--label", default=defaults.label, help="prefix of the generated codes and ids")


def scale_from(args: argparse.Namespace) -> Scale:
    return Scale(
        counties=args.counties,
        schools=args.schools,
        staff=args.staff,
        hazards=args.hazards,
        visits=args.visits,
        indicators=args.indicators,
        label=args.label,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/generate", description=__doc__.splitlines()[0])
    scale_arguments(parser)
    parser.add_argument("--db", default=DEFAULT_DB, help="the bench database (created if missing)")
    args = parser.parse_args(argv)
    scale = scale_from(args)
    console = Console(stderr=True)
    console.print(f"generating {scale} into {args.db}")
    timings = asyncio.run(generate(scale, args.db, console))
    for name, seconds in timings.items():
        console.print(f"  {name:<24} {seconds:8.1f}" + ("" if name == "chunks written" else " s"))
    path = DATA / f"generate-{args.db}.json"
    if timings.get("chunks written", 0) == 0 and path.exists():
        console.print(f"the data set was complete; {path.name} keeps the timings of the run that built it")
        return 0
    record = {"scale": asdict(scale), "defaults": scale == Scale(), "timings": timings}
    DATA.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
