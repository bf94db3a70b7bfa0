"""The server's scheduler flips publications when their schedule times pass."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Tenant, mark_converted


def _wait_for(
    tenant: Tenant, publication_id: int, check: Any, timeout: float = 10
) -> dict[str, Any]:
    path = f"/v2/groups/{tenant.group_id}/publications/{publication_id}"
    deadline = time.monotonic() + timeout
    while True:
        current = tenant.api.get(path).json()["publication"][0]
        if check(current) or time.monotonic() > deadline:
            return current  # type: ignore[no-any-return]
        time.sleep(0.1)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def test_publication_goes_online_when_its_schedule_passes(tenant: Tenant) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=1)
    publication = tenant.create_publication(schedule_online_at=_iso(soon))
    assert publication["schedule_online_at"] is not None
    mark_converted(tenant.server, publication["id"])
    current = _wait_for(tenant, publication["id"], lambda p: p["state"] == "online")
    assert current["state"] == "online"
    assert current["online_at"] is not None
    assert current["schedule_online_at"] is None


def test_schedule_waits_for_converted_pages(tenant: Tenant) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    publication = tenant.create_publication(schedule_online_at=_iso(past))
    time.sleep(0.8)
    path = f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    assert tenant.api.get(path).json()["publication"][0]["state"] == "offline"
    mark_converted(tenant.server, publication["id"])
    assert (
        _wait_for(tenant, publication["id"], lambda p: p["state"] == "online")["state"] == "online"
    )


def test_publication_goes_offline_when_its_schedule_passes(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    mark_converted(tenant.server, publication["id"])
    base = f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    assert tenant.api.post(f"{base}/online").status_code == 200
    soon = datetime.now(UTC) + timedelta(seconds=1)
    tenant.api.put(base, json={"publication": {"schedule_offline_at": _iso(soon)}})
    current = _wait_for(tenant, publication["id"], lambda p: p["state"] == "offline")
    assert current["state"] == "offline" and current["offline_at"] is not None


def test_offline_schedule_must_follow_online_schedule(tenant: Tenant) -> None:
    now = datetime.now(UTC)
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/publications",
        json={
            "publication": {
                "title": "Backwards",
                "source_url": "http://x/y.pdf",
                "schedule_online_at": _iso(now + timedelta(days=2)),
                "schedule_offline_at": _iso(now + timedelta(days=1)),
            }
        },
    )
    assert response.status_code == 422 and "schedule_offline_at" in response.json()["errors"]


def test_schedule_times_keep_their_instant(tenant: Tenant) -> None:
    publication = tenant.create_publication(schedule_online_at="2030-09-25T15:17:20.000+02:00")
    assert publication["schedule_online_at"] == "2030-09-25T13:17:20.000+00:00"
