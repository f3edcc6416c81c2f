"""Shared pieces of the hazards pages' tests: real photos, the hazards directory fixtures, dates."""

from __future__ import annotations

import datetime as dt
import io

from tests.hazards.conftest import hazards_db, hazards_world  # noqa: F401  (fixtures, re-exported)


def photo(colour: tuple[int, int, int] = (200, 60, 40), size: tuple[int, int] = (320, 240)) -> bytes:
    """A real JPEG (the API checks the content; the browser shows it)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), outline=(255, 255, 255), width=6
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def school_day(days: int = 0) -> str:
    """A calendar day at the school (Beijing time), ``days`` from today, as the date inputs take it."""
    return ((dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date() + dt.timedelta(days=days)).isoformat()
