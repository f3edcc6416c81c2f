"""Rules of cross-school inspection. Never commits.

- The bureau forms teams of bureau staff and of principals and teachers of the county's schools, and assigns
  a team to a school for a time window. Nobody inspects their own school (422), whether the school is
  assigned to their team or they join a team already assigned to it.
- An assignment grants each member who is not bureau staff read access to the school's score sheet, its
  self-assessment and evidence, and nothing else, during the window (their token's ``inspection_grants``,
  pushed to Keycloak by :mod:`evaluation.domain.inspections.jobs`; enforced by row-level security).
- Members score the rubric's people-scored items inside the window, with comments, photos and findings;
  the lead submits; the bureau accepts, or returns the school with rectification requests. With that
  decision the findings go to the school's hazard register (``evaluation.finding.reported``, consumed by
  the hazards service): the bureau vets what the team reports. Every read of a sheet or its evidence by
  an inspector is written to the school's audit chain.
- Grant changes are announced with ``evaluation.inspection_grants.changed`` in the same transaction; its
  consumer pushes them to Keycloak (:mod:`evaluation.domain.inspections.grants`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.clock import Clock, system_clock
from evaluation.domain.campaigns.service import CampaignService
from evaluation.domain.directory.repository import DirectoryRepository
from evaluation.domain.inspections import schemas
from evaluation.domain.inspections.models import (
    Assignment,
    AssignmentStatus,
    InspectionPhoto,
    InspectionScore,
    InspectionTeam,
    MemberRole,
    TeamMember,
)
from evaluation.domain.inspections.repository import InspectionRepository
from evaluation.domain.rubrics.definition import Rubric
from evaluation.domain.self_assessment.repository import SelfAssessmentRepository
from evaluation.domain.self_assessment.service import check_entry, scorable_item, sheet_schema
from evaluation.files import PHOTO_TYPES, store_upload
from evaluation.outbox import outbox
from kit.audit import AuditLog, name_action
from kit.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kit.events import (
    INSPECTION_DECIDED,
    INSPECTION_FINDING_REPORTED,
    INSPECTION_GRANTS_CHANGED,
    InspectionDecided,
    InspectionFindingReported,
    InspectionGrantsChanged,
)
from kit.identity import AccountProfile
from kit.notifications import Notifications, bilingual
from tenants import TenantContext

#: Finds an account by username (``kit.identity.find_account`` against Keycloak, in production).
AccountLookup = Callable[[str], Awaitable[AccountProfile | None]]
#: Longest inspection window the bureau may give.
MAX_WINDOW = dt.timedelta(days=31)


def member_schema(member: TeamMember) -> schemas.Member:
    return schemas.Member(
        id=member.id,
        user_id=member.user_id,
        username=member.username,
        full_name=member.full_name,
        role=member.role,
        home_school_id=member.home_school_id,
        lead=member.is_lead,
    )


def team_schema(team: InspectionTeam, members: list[TeamMember]) -> schemas.Team:
    return schemas.Team(
        id=team.id,
        campaign_id=team.campaign_id,
        name=team.name,
        members=[member_schema(m) for m in members],
        created_at=team.created_at,
    )


def assignment_schema(assignment: Assignment, team_name: str) -> schemas.Assignment:
    return schemas.Assignment(
        id=assignment.id,
        campaign_id=assignment.campaign_id,
        school_id=assignment.school_id,
        school_name=assignment.school_name,
        team_id=assignment.team_id,
        team_name=team_name,
        starts_at=assignment.starts_at,
        ends_at=assignment.ends_at,
        status=assignment.status,
        submitted_at=assignment.submitted_at,
        submitted_by=assignment.submitted_by,
        decided_at=assignment.decided_at,
        decided_by=assignment.decided_by,
        decision_note=assignment.decision_note,
        rectification_requests=list(assignment.rectification_requests or []),
    )


def photo_schema(photo: InspectionPhoto) -> schemas.Photo:
    return schemas.Photo(
        id=photo.id,
        content_type=photo.content_type,
        size=photo.size,
        uploaded_by=photo.uploaded_by,
        uploaded_at=photo.uploaded_at,
        url=f"/inspection-photos/{photo.id}",
    )


class InspectionService:
    def __init__(
        self,
        session: AsyncSession,
        tenant: TenantContext,
        *,
        accounts: AccountLookup | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.session = session
        self.tenant = tenant
        self.accounts = accounts
        self.clock = clock
        self.repository = InspectionRepository(session)
        self.campaigns = CampaignService(session, tenant, clock)
        #: Accounts whose inspection grants must be pushed to Keycloak once this transaction commits.
        self.grants_to_sync: set[str] = set()

    # --- teams (bureau) ---------------------------------------------------------------------------------
    async def create_team(self, campaign_id: uuid.UUID, data: schemas.TeamCreate) -> schemas.Team:
        campaign = await self.campaigns.get_open(campaign_id)
        if sum(m.lead for m in data.members) > 1:
            raise InvalidInputError(
                "a team has one lead", errors=[{"key": "members", "message": "several leads"}]
            )
        if len({m.username.lower() for m in data.members}) != len(data.members):
            raise InvalidInputError(
                "a member is listed twice", errors=[{"key": "members", "message": "duplicate"}]
            )
        if await self.repository.team_name_taken(campaign.id, data.name):
            raise ConflictError("the campaign already has a team of that name")
        team = InspectionTeam(
            id=uuid.uuid4(), county_id=campaign.county_id, campaign_id=campaign.id, name=data.name
        )
        self.repository.add(team)
        await self.session.flush()
        for member in data.members:
            await self._add_member(team, member, existing=[])
        await self.session.flush()
        await self._announce_grant_changes()
        return await self.team(team.id)

    async def teams(self, campaign_id: uuid.UUID) -> list[schemas.Team]:
        campaign = await self.campaigns.get(campaign_id)
        teams = await self.repository.teams(campaign.id)
        members = await self.repository.members([t.id for t in teams])
        return [team_schema(t, members[t.id]) for t in teams]

    async def team(self, team_id: uuid.UUID) -> schemas.Team:
        team = await self._team(team_id)
        return team_schema(team, (await self.repository.members([team.id]))[team.id])

    async def add_member(self, team_id: uuid.UUID, data: schemas.MemberInput) -> schemas.Team:
        team = await self._team(team_id, for_update=True)
        await self.campaigns.get_open(team.campaign_id)
        existing = (await self.repository.members([team.id]))[team.id]
        await self._add_member(team, data, existing=existing)
        await self.session.flush()
        await self._announce_grant_changes()
        return await self.team(team.id)

    async def remove_member(self, team_id: uuid.UUID, member_id: uuid.UUID) -> schemas.Team:
        team = await self._team(team_id, for_update=True)
        member = next(
            (m for m in (await self.repository.members([team.id]))[team.id] if m.id == member_id), None
        )
        if member is None:
            raise NotFoundError("member not found")
        await self.repository.delete(member)
        if member.role is not MemberRole.BUREAU:
            self.grants_to_sync.add(member.user_id)
        await self.session.flush()
        await self._announce_grant_changes()
        return await self.team(team.id)

    async def _add_member(
        self, team: InspectionTeam, data: schemas.MemberInput, *, existing: list[TeamMember]
    ) -> None:
        account = await self._account(data.username)
        if any(m.user_id == account.user_id for m in existing):
            raise ConflictError(f"{account.username} is already a member of the team")
        role = next((r for r in MemberRole if r.value in account.roles), None)
        if role is None:
            raise InvalidInputError(
                f"{account.username} is neither bureau staff nor a principal or teacher",
                errors=[{"key": "username", "message": "cannot inspect"}],
            )
        home = None
        if role is not MemberRole.BUREAU:
            raw = account.attribute("school_id")
            home = uuid.UUID(raw) if raw else None
            assigned = {a.school_id for a in await self.repository.team_assignments(team.id)}
            if home is None or home in assigned:
                raise InvalidInputError(
                    f"{account.username} cannot inspect their own school, which this team is assigned to",
                    errors=[{"key": "username", "message": "own school"}],
                )
            self.grants_to_sync.add(account.user_id)
        if data.lead:
            for other in existing:
                other.is_lead = False
        self.repository.add(
            TeamMember(
                id=uuid.uuid4(),
                county_id=team.county_id,
                team_id=team.id,
                user_id=account.user_id,
                username=account.username,
                full_name=account.full_name,
                role=role,
                home_school_id=home,
                is_lead=data.lead,
            )
        )

    async def _account(self, username: str) -> AccountProfile:
        if self.accounts is None:  # pragma: no cover - the controller always passes one
            raise RuntimeError("InspectionService needs an account lookup to add members")
        account = await self.accounts(username.lower())
        # An unknown username and an account of another county read the same: nothing leaks.
        if (
            account is None
            or account.attribute("county_id") != str(self.tenant.county_id)
            or not account.enabled
        ):
            raise InvalidInputError(
                f"no account of this county is named {username}",
                errors=[{"key": "username", "message": "unknown"}],
            )
        return account

    async def _team(self, team_id: uuid.UUID, *, for_update: bool = False) -> InspectionTeam:
        team = await self.repository.team(team_id, for_update=for_update)
        if team is None:
            raise NotFoundError("team not found")
        return team

    # --- assignments (bureau) ---------------------------------------------------------------------------
    async def assign(self, team_id: uuid.UUID, data: schemas.AssignmentCreate) -> schemas.Assignment:
        team = await self._team(team_id, for_update=True)
        campaign = await self.campaigns.get_open(team.campaign_id)
        school = await DirectoryRepository(self.session).get(data.school_id)
        if school is None or not school.active:
            raise InvalidInputError(
                "no active school of this county has that id",
                errors=[{"key": "school_id", "message": "unknown"}],
            )
        self._check_window(data.starts_at, data.ends_at)
        members = (await self.repository.members([team.id]))[team.id]
        if not any(m.is_lead for m in members):
            raise InvalidInputError(
                "the team needs a lead before it is assigned", errors=[{"key": "team", "message": "no lead"}]
            )
        own = [m.username for m in members if m.home_school_id == school.id]
        if own:
            raise InvalidInputError(
                "an inspector never inspects their own school: " + ", ".join(own),
                errors=[{"key": "school_id", "message": f"home school of {name}"} for name in own],
            )
        if await self.repository.open_assignment_exists(campaign.id, school.id):
            raise ConflictError("the school already has an inspection under way in this campaign")
        assignment = Assignment(
            id=uuid.uuid4(),
            county_id=campaign.county_id,
            school_id=school.id,
            school_name=school.name,
            campaign_id=campaign.id,
            team_id=team.id,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            status=AssignmentStatus.ASSIGNED,
            assigned_by=self.tenant.username,
            decision_note="",
            rectification_requests=[],
        )
        self.repository.add(assignment)
        await self.session.flush()
        await self.session.refresh(assignment)
        self.grants_to_sync |= {m.user_id for m in members if m.role is not MemberRole.BUREAU}
        await self._announce_grant_changes()
        window = f"{assignment.starts_at:%Y-%m-%d %H:%M} – {assignment.ends_at:%Y-%m-%d %H:%M} UTC"
        await self._notify(
            members,
            assignment,
            kind="inspection.assigned",
            title=bilingual(f"交叉检查任务：{school.name}", f"Cross-school inspection: {school.name}"),
            body=bilingual(
                f"{team.name} 检查 {school.name}，时间 {window}。",
                f"{team.name} inspects {school.name}, {window}.",
            ),
        )
        return assignment_schema(assignment, team.name)

    async def _notify(
        self, members: list[TeamMember], assignment: Assignment, *, kind: str, title: str, body: str
    ) -> None:
        """Tell each member in the app (in their home school's notifications; the bureau's for bureau staff)."""
        notifications = Notifications(self.session, SERVICE)
        for member in members:
            await notifications.notify(
                member.user_id,
                kind=kind,
                title=title,
                body=body,
                link=f"/inspections/{assignment.id}",
                school_id=member.home_school_id,
            )

    async def _announce_grant_changes(self) -> None:
        """Ask (in this transaction) for the changed inspectors' grants to be pushed to Keycloak."""
        if self.grants_to_sync:
            await outbox.add(
                self.session,
                INSPECTION_GRANTS_CHANGED,
                InspectionGrantsChanged(user_ids=sorted(self.grants_to_sync)),
                county_id=self.tenant.county_id,
                school_id=None,
            )
            self.grants_to_sync = set()

    def _check_window(self, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
        naive = [
            key for key, value in (("starts_at", starts_at), ("ends_at", ends_at)) if value.tzinfo is None
        ]
        if naive:
            raise InvalidInputError(
                "times need a time zone (e.g. 2026-05-04T08:00:00+08:00)",
                errors=[{"key": key, "message": "no time zone"} for key in naive],
            )
        if ends_at <= starts_at:
            raise InvalidInputError(
                "the window ends before it starts", errors=[{"key": "ends_at", "message": "before starts_at"}]
            )
        if ends_at <= self.clock():
            raise InvalidInputError(
                "the window is over already", errors=[{"key": "ends_at", "message": "in the past"}]
            )
        if ends_at - starts_at > MAX_WINDOW:
            raise InvalidInputError(
                f"a window lasts at most {MAX_WINDOW.days} days",
                errors=[{"key": "ends_at", "message": "too long"}],
            )

    async def board(self, campaign_id: uuid.UUID) -> list[schemas.Assignment]:
        """Every assignment of the campaign (the bureau's assignment board)."""
        campaign = await self.campaigns.get(campaign_id)
        assignments = await self.repository.assignments(campaign.id)
        teams = await self.repository.teams_by_id(list({a.team_id for a in assignments}))
        return [assignment_schema(a, teams[a.team_id].name) for a in assignments]

    async def cancel(self, assignment_id: uuid.UUID) -> schemas.Assignment:
        assignment = await self._assignment(assignment_id, for_update=True)
        if assignment.status is not AssignmentStatus.ASSIGNED:
            raise ConflictError(f"an assignment that is {assignment.status.value} cannot be cancelled")
        name_action(assignment, "inspection_assignment.cancel")
        assignment.status = AssignmentStatus.CANCELLED
        return await self._after_change(assignment)

    async def accept(self, assignment_id: uuid.UUID, data: schemas.Decision) -> schemas.Assignment:
        assignment = await self._submitted(assignment_id)
        name_action(assignment, "inspection_assignment.accept")
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.decision_note = data.note
        return await self._decided(assignment)

    async def return_school(self, assignment_id: uuid.UUID, data: schemas.Return) -> schemas.Assignment:
        assignment = await self._submitted(assignment_id)
        name_action(assignment, "inspection_assignment.return")
        assignment.status = AssignmentStatus.RETURNED
        assignment.decision_note = data.note
        assignment.rectification_requests = list(data.requests)
        return await self._decided(assignment)

    async def _submitted(self, assignment_id: uuid.UUID) -> Assignment:
        assignment = await self._assignment(assignment_id, for_update=True)
        if assignment.status is not AssignmentStatus.SUBMITTED:
            raise ConflictError(f"only a submitted sheet is decided; this one is {assignment.status.value}")
        return assignment

    async def _decided(self, assignment: Assignment) -> schemas.Assignment:
        assignment.decided_at = self.clock()
        assignment.decided_by = self.tenant.username
        # The decided scores now count in the campaign's results.
        await self.campaigns.results_outdated(assignment.campaign_id)
        decided = await self._after_change(assignment)
        await self._report_findings(assignment, decided.team_name)
        outcome = (
            ("通过验收", "accepted")
            if assignment.status is AssignmentStatus.ACCEPTED
            else ("退回整改", "returned")
        )
        await self._notify(
            (await self.repository.members([assignment.team_id]))[assignment.team_id],
            assignment,
            kind="inspection.decided",
            title=bilingual(
                f"{assignment.school_name}：{outcome[0]}", f"{assignment.school_name}: {outcome[1]}"
            ),
            body=bilingual(assignment.decision_note or outcome[0], assignment.decision_note or outcome[1]),
        )
        await outbox.add(
            self.session,
            INSPECTION_DECIDED,
            InspectionDecided(
                assignment_id=assignment.id,
                campaign_id=assignment.campaign_id,
                school_id=assignment.school_id,
                decision=assignment.status.value,
                rectification_requests=list(assignment.rectification_requests or []),
                note=assignment.decision_note,
            ),
            county_id=assignment.county_id,
            school_id=assignment.school_id,
        )
        return decided

    async def _report_findings(self, assignment: Assignment, team_name: str) -> None:
        """Each finding of the sheet becomes a hazard of the school (the hazards service consumes the event;
        the finding's id lets it recognise a repeat)."""
        campaign = await self.campaigns.get(assignment.campaign_id)
        rubric = await self.campaigns.rubric(campaign)
        photos: dict[str, int] = {}
        for photo in await self.repository.photos(assignment.id):
            photos[photo.item_code] = photos.get(photo.item_code, 0) + 1
        for score in (await self.repository.scores([assignment.id]))[assignment.id]:
            if not score.finding:
                continue
            finding = msgspec.convert(score.finding, schemas.FindingInput)
            item = rubric.item(score.item_code)
            await outbox.add(
                self.session,
                INSPECTION_FINDING_REPORTED,
                InspectionFindingReported(
                    finding_id=score.id,
                    assignment_id=assignment.id,
                    campaign_id=assignment.campaign_id,
                    school_id=assignment.school_id,
                    item_code=score.item_code,
                    item_title=item.title if item else score.item_code,
                    title=finding.title,
                    description=finding.description,
                    severity=finding.severity.value,
                    category=finding.category,
                    location=finding.location,
                    reported_by=score.scored_by,
                    team_name=team_name,
                    photos=photos.get(score.item_code, 0),
                    found_at=score.updated_at,
                ),
                county_id=assignment.county_id,
                school_id=assignment.school_id,
            )

    async def _after_change(self, assignment: Assignment) -> schemas.Assignment:
        await self.session.flush()
        await self.session.refresh(assignment)
        members = (await self.repository.members([assignment.team_id]))[assignment.team_id]
        self.grants_to_sync |= {m.user_id for m in members if m.role is not MemberRole.BUREAU}
        await self._announce_grant_changes()
        team = await self._team(assignment.team_id)
        return assignment_schema(assignment, team.name)

    async def _assignment(self, assignment_id: uuid.UUID, *, for_update: bool = False) -> Assignment:
        assignment = await self.repository.assignment(assignment_id, for_update=for_update)
        if assignment is None:
            raise NotFoundError("inspection not found")
        return assignment

    # --- the score sheet (inspectors, the bureau, the inspected school) ---------------------------------
    def _through_grant(self, assignment: Assignment) -> bool:
        """The caller sees this school's sheet only through an inspection grant (so the read is audited)."""
        return self.tenant.school_id is not None and self.tenant.school_id != assignment.school_id

    async def _audit_read(
        self, assignment: Assignment, action: str, object_type: str, object_id: uuid.UUID
    ) -> None:
        if self._through_grant(assignment):
            await AuditLog(self.session, SERVICE).record(
                action, object_type=object_type, object_id=object_id, school_id=assignment.school_id
            )

    async def _readable(self, assignment_id: uuid.UUID) -> Assignment:
        """The assignment, if the caller may read it. A grant opens the inspected school's rows to the
        inspector, whichever team they belong to; only the assigned team's members read its sheet."""
        assignment = await self._assignment(assignment_id)
        if self._through_grant(assignment):
            members = (await self.repository.members([assignment.team_id]))[assignment.team_id]
            if all(m.user_id != self.tenant.user_id for m in members):
                raise NotFoundError("inspection not found")
        return assignment

    async def sheet(self, assignment_id: uuid.UUID) -> schemas.ScoreSheet:
        assignment = await self._readable(assignment_id)
        await self._audit_read(assignment, "inspection_sheet.read", "inspection_assignment", assignment.id)
        return await self._sheet(assignment)

    async def _sheet(self, assignment: Assignment) -> schemas.ScoreSheet:
        campaign = await self.campaigns.get(assignment.campaign_id)
        rubric = await self.campaigns.rubric(campaign)
        team = await self._team(assignment.team_id)
        members = (await self.repository.members([team.id]))[team.id]
        me = next((m for m in members if m.user_id == self.tenant.user_id), None)
        own_school = self.tenant.school_id == assignment.school_id
        scores_visible = not own_school or assignment.status in (
            AssignmentStatus.ACCEPTED,
            AssignmentStatus.RETURNED,
        )
        scores = (await self.repository.scores([assignment.id]))[assignment.id] if scores_visible else []
        photos = await self.repository.photos(assignment.id) if scores_visible else []
        own = SelfAssessmentRepository(self.session)
        sheet = await own.find(campaign.id, assignment.school_id)
        self_view = sheet_schema(
            campaign,
            assignment.school_id,
            rubric,
            sheet,
            await own.entries(sheet.id) if sheet else [],
            await own.evidence(sheet.id) if sheet else [],
        )
        return schemas.ScoreSheet(
            assignment=assignment_schema(assignment, team.name),
            team=team_schema(team, members),
            you=schemas.Caller(
                member=me is not None,
                lead=bool(me and me.is_lead),
                can_score=me is not None and self._open_for_scoring(assignment),
            ),
            scores_visible=scores_visible,
            items=self._items(rubric, scores, photos, {i.code: i for i in self_view.items}),
        )

    @staticmethod
    def _items(
        rubric: Rubric,
        scores: list[InspectionScore],
        photos: list[InspectionPhoto],
        self_items: dict[str, schemas.SelfAssessmentItem],
    ) -> list[schemas.SheetItem]:
        by_code = {s.item_code: s for s in scores}
        pictures: dict[str, list[schemas.Photo]] = {}
        for photo in photos:
            pictures.setdefault(photo.item_code, []).append(photo_schema(photo))
        items = []
        for item in rubric.items:
            if not item.scored_by_people:
                continue
            score = by_code.get(item.code)
            items.append(
                schemas.SheetItem(
                    code=item.code,
                    kind=item.kind.value,
                    title=item.title,
                    category=item.category,
                    max_points=item.max_points,
                    guidance=item.guidance,
                    required_evidence=list(item.required_evidence),
                    points=score.points if score else None,
                    triggered=score.triggered if score else False,
                    comment=score.comment if score else "",
                    finding=msgspec.convert(score.finding, schemas.FindingInput)
                    if score and score.finding
                    else None,
                    photos=pictures.get(item.code, []),
                    scored_by=score.scored_by if score else None,
                    updated_at=score.updated_at if score else None,
                    self_assessment=self_items.get(item.code),
                )
            )
        return items

    def _open_for_scoring(self, assignment: Assignment) -> bool:
        now = self.clock()
        return (
            assignment.status is AssignmentStatus.ASSIGNED
            and assignment.starts_at <= now < assignment.ends_at
        )

    async def _as_member(
        self, assignment_id: uuid.UUID, *, lead: bool = False
    ) -> tuple[Assignment, TeamMember]:
        """The assignment, locked, for a member of its team while it can be scored (403 for anybody else)."""
        assignment = await self._assignment(assignment_id)
        members = (await self.repository.members([assignment.team_id]))[assignment.team_id]
        me = next((m for m in members if m.user_id == self.tenant.user_id), None)
        if me is None:
            raise ForbiddenError("only the assigned inspection team scores this school")
        if lead and not me.is_lead:
            raise ForbiddenError("only the team lead submits the score sheet")
        assignment = await self._assignment(assignment_id, for_update=True)
        if assignment.status is not AssignmentStatus.ASSIGNED:
            raise ConflictError(f"the score sheet is {assignment.status.value} and no longer changes")
        if not self._open_for_scoring(assignment):
            raise ConflictError("outside the inspection window")
        return assignment, me

    async def score(
        self, assignment_id: uuid.UUID, code: str, data: schemas.ScoreInput
    ) -> schemas.ScoreSheet:
        """Score one item (idempotent: the last score wins, so a phone may resend it)."""
        assignment, _ = await self._as_member(assignment_id)
        campaign = await self.campaigns.get_open(assignment.campaign_id)
        item = scorable_item(await self.campaigns.rubric(campaign), code)
        check_entry(item, data.points, data.triggered)
        score = await self.repository.score(assignment.id, code)
        if score is None:
            score = InspectionScore(
                id=uuid.uuid4(),
                county_id=assignment.county_id,
                school_id=assignment.school_id,
                assignment_id=assignment.id,
                item_code=code,
            )
            self.repository.add(score)
        score.points = data.points
        score.triggered = data.triggered
        score.comment = data.comment
        score.finding = msgspec.to_builtins(data.finding) if data.finding else None
        score.scored_by = self.tenant.username
        await self.session.flush()
        return await self._sheet(assignment)

    async def add_photo(self, assignment_id: uuid.UUID, code: str, data: bytes) -> schemas.Photo:
        assignment, _ = await self._as_member(assignment_id)
        campaign = await self.campaigns.get_open(assignment.campaign_id)
        scorable_item(await self.campaigns.rubric(campaign), code)
        stored = await store_upload(
            data, county_id=assignment.county_id, school_id=assignment.school_id, allowed=PHOTO_TYPES
        )
        photo = InspectionPhoto(
            id=stored.id,
            county_id=assignment.county_id,
            school_id=assignment.school_id,
            assignment_id=assignment.id,
            item_code=code,
            content_type=stored.checked.content_type,
            size=stored.checked.size,
            sha256=stored.checked.sha256,
            storage_key=stored.key,
            uploaded_by=self.tenant.username,
        )
        self.repository.add(photo)
        await self.session.flush()
        await self.session.refresh(photo)
        return photo_schema(photo)

    async def photo(self, photo_id: uuid.UUID) -> InspectionPhoto:
        photo = await self.repository.photo(photo_id)
        if photo is None:
            raise NotFoundError("file not found")
        assignment = await self._readable(photo.assignment_id)
        if self.tenant.school_id == assignment.school_id and assignment.status not in (
            AssignmentStatus.ACCEPTED,
            AssignmentStatus.RETURNED,
        ):
            raise NotFoundError("file not found")  # the school sees the team's photos once decided
        await self._audit_read(assignment, "inspection_photo.read", "inspection_photo", photo.id)
        return photo

    async def submit(self, assignment_id: uuid.UUID) -> schemas.Assignment:
        """The lead submits the sheet (every people-scored indicator scored); the bureau decides next."""
        assignment, _ = await self._as_member(assignment_id, lead=True)
        campaign = await self.campaigns.get_open(assignment.campaign_id)
        rubric = await self.campaigns.rubric(campaign)
        scores = (await self.repository.scores([assignment.id]))[assignment.id]
        scored = {s.item_code for s in scores if s.points is not None}
        missing = [i.code for i in rubric.indicators() if i.scored_by_people and i.code not in scored]
        if missing:
            raise InvalidInputError(
                "every indicator needs a score before submitting",
                errors=[{"key": code, "message": "not scored"} for code in missing],
            )
        name_action(assignment, "inspection_assignment.submit")
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.submitted_at = self.clock()
        assignment.submitted_by = self.tenant.username
        await self.session.flush()
        await self.session.refresh(assignment)
        team = await self._team(assignment.team_id)
        return assignment_schema(assignment, team.name)

    # --- the inspector's own view -----------------------------------------------------------------------
    async def mine(self) -> schemas.MyInspections:
        """The caller's teams, and the grants in their token (the assignment where the window is open)."""
        memberships = await self.repository.memberships(self.tenant.user_id)
        team_ids = [m.team_id for m in memberships]
        teams = await self.repository.teams_by_id(team_ids)
        members = await self.repository.members(team_ids)
        visible = {
            a.school_id: a
            for a in await self.repository.visible_assignments(list(self.tenant.inspect_school_ids))
            if a.team_id in teams
        }
        for assignment in visible.values():  # what the caller reads of the inspected school, audited there
            await self._audit_read(
                assignment, "inspection_assignment.read", "inspection_assignment", assignment.id
            )
        grants = []
        for grant in self.tenant.inspection_grants:
            assignment = (
                visible.get(grant.school_id) if grant.school_id in self.tenant.inspect_school_ids else None
            )
            grants.append(
                schemas.MyGrant(
                    school_id=grant.school_id,
                    starts_at=grant.starts_at,
                    ends_at=grant.ends_at,
                    active=grant.school_id in self.tenant.inspect_school_ids,
                    assignment_id=assignment.id if assignment else None,
                    school_name=assignment.school_name if assignment else None,
                    status=assignment.status if assignment else None,
                )
            )
        return schemas.MyInspections(
            teams=[team_schema(teams[t], members[t]) for t in team_ids if t in teams], grants=grants
        )
