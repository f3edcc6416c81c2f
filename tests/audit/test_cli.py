"""`safecampus audit verify`: the operator's check of a tenant's chain, with an exit status for scripts."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from safecampus.cli import main
from tests.audit.conftest import IN_CHAIN, tamper_as_owner

SAFECAMPUS = str(Path(sys.executable).with_name("safecampus"))


async def _verify(*args: str):
    # In a thread: the command runs its own event loop, as it does from a shell.
    return await asyncio.to_thread(CliRunner().invoke, main, ["audit", "verify", *args])


async def test_verify_prints_ok_for_an_intact_chain_and_names_the_broken_link(school_chain, migrator):
    code = await migrator.fetchval("SELECT code FROM schools.schools WHERE id = $1", school_chain.school_id)
    county = await migrator.fetchval(
        "SELECT code FROM schools.counties WHERE id = $1", school_chain.county_id
    )

    intact = await _verify("--school", code, "--county", county)
    assert intact.exit_code == 0, intact.output
    assert intact.stdout.startswith(f"OK schools audit chain of school {code}")
    assert "4 entries, head 4:" in intact.stdout
    head = intact.stdout.split("head ")[1].split()[0]

    await tamper_as_owner(
        migrator,
        school_chain,
        f"UPDATE {school_chain.table} SET action = 'school.delete' WHERE {IN_CHAIN} AND seq = 2",
    )
    # The installed command itself, as an operator's script runs it: a broken chain is a failed exit status.
    broken = await asyncio.to_thread(
        subprocess.run,
        [
            SAFECAMPUS,
            "audit",
            "verify",
            "--service",
            "schools",
            "--school",
            str(school_chain.school_id),
            "--anchor",
            head,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert broken.returncode == 1, broken.stderr
    assert "BROKEN schools audit chain of school" in broken.stdout
    assert "at entry 2: entry 2 was altered (its content does not match its hash)" in broken.stdout


async def test_verify_checks_a_countys_own_chain(world, migrator):
    county = await migrator.fetchval("SELECT code FROM schools.counties WHERE id = $1", world.county_y)
    result = await _verify("--county", county)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK schools audit chain of county {county}")


async def test_verify_refuses_what_it_cannot_find(world):
    unknown = await _verify("--school", "no-such-school")
    assert unknown.exit_code == 2 and "no school no-such-school" in unknown.stderr
    service = await _verify("--service", "nothing", "--school", str(world.school_a))
    assert service.exit_code == 2 and "--service" in service.stderr
    anchor = await _verify("--school", str(world.school_a), "--anchor", "head")
    assert anchor.exit_code == 2 and "--anchor" in anchor.stderr
