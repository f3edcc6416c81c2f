"""How much the public reporting channel accepts (the app's defaults; tests pass smaller ones)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    window: dt.timedelta = dt.timedelta(hours=1)
    #: Submissions (valid or not) per client address and window, over all links.
    per_client: int = 10
    #: Reports per school link and window, from everyone together.
    per_link: int = 60
    #: The same text from the same client within this time is acknowledged and dropped.
    duplicate_window: dt.timedelta = dt.timedelta(hours=24)
    max_links_in_text: int = 2
    max_photo_bytes: int = 8 * 1024 * 1024
