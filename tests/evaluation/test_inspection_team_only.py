"""A grant opens the inspected school's rows to an inspector whatever team they are in; the score sheet
of another team at the same school (another campaign's, say) stays closed to them: only the assigned
team reads its sheet and its photos."""

from __future__ import annotations

import datetime as dt

from tenants.context import InspectionGrant
from tests.conftest import make_user
from tests.evaluation.conftest import JPEG, bearer, open_campaign, unique
from tests.evaluation.test_inspections import assign, team, wait_for_grants, window


async def test_an_inspector_reads_only_the_sheet_of_their_own_team(
    stack, eval_client, world, directory, default_rubric, worker
):
    settings, bureau = stack.settings, world["bureau_x"]
    ours = await make_user(settings, "teacher", world.county_x, world.school_a, unique("team-ours"))
    theirs = await make_user(settings, "principal", world.county_x, world.school_a, unique("team-theirs"))
    begin, end = window(-dt.timedelta(minutes=1))
    first = await open_campaign(eval_client, bureau, default_rubric)
    second = await open_campaign(eval_client, bureau, default_rubric)
    our_sheet = await assign(
        eval_client,
        bureau,
        await team(eval_client, bureau, first, (ours.username, True)),
        world.school_b,
        begin,
        end,
    )
    their_sheet = await assign(
        eval_client,
        bureau,
        await team(eval_client, bureau, second, (theirs.username, True)),
        world.school_b,
        begin,
        end,
    )
    assert our_sheet.status_code == 201 and their_sheet.status_code == 201
    grant = {InspectionGrant(world.school_b, begin, end)}
    our_token = await wait_for_grants(settings, ours.username, grant)
    their_token = await wait_for_grants(settings, theirs.username, grant)
    photo = await eval_client.post(
        f"/inspections/{their_sheet.json()['id']}/scores/sec.video/photos",
        content=JPEG,
        headers=bearer(their_token),
    )
    assert photo.status_code == 201, photo.text

    assert (
        await eval_client.get(f"/inspections/{our_sheet.json()['id']}", headers=bearer(our_token))
    ).status_code == 200
    assert (
        await eval_client.get(f"/inspections/{their_sheet.json()['id']}", headers=bearer(our_token))
    ).status_code == 404
    assert (await eval_client.get(photo.json()["url"], headers=bearer(our_token))).status_code == 404
    assert (await eval_client.get(photo.json()["url"], headers=bearer(their_token))).status_code == 200
    # The bureau and the inspected school are not inspectors: they keep reading it as before.
    assert (
        await eval_client.get(f"/inspections/{their_sheet.json()['id']}", headers=bureau.headers)
    ).status_code == 200
    assert (
        await eval_client.get(
            f"/inspections/{their_sheet.json()['id']}", headers=world["principal_b"].headers
        )
    ).status_code == 200
    for sheet in (our_sheet, their_sheet):
        await eval_client.post(f"/inspections/{sheet.json()['id']}/cancel", headers=bureau.headers)
    await wait_for_grants(settings, ours.username, set())
    await wait_for_grants(settings, theirs.username, set())
