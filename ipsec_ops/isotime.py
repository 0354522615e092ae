"""Times as the reports, bundles and history write them: ISO 8601 UTC to the second.

>>> iso_time(0), epoch("1970-01-02T00:00:00Z"), epoch("1970-01-02T00:00:00"), epoch("soon")
('1970-01-01T00:00:00Z', 86400.0, 86400.0, None)
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso_time(at: float) -> str:
    """Epoch seconds as ISO 8601 UTC to the second (``2026-11-29T08:00:00Z``)."""
    return datetime.fromtimestamp(at, UTC).strftime(FORMAT)


def utc_now() -> str:
    """Now, as :func:`iso_time` writes it."""
    return iso_time(time.time())


def epoch(text: str | None) -> float | None:
    """Epoch seconds of an ISO 8601 time (UTC when it has no offset); None if not one."""
    try:
        when = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
