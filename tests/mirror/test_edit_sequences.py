"""Several edits of one thing between syncs: each lands once, none is taken for someone
else's change, and nothing waits forever."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator

import pytest

from app.mirror.library import Library
from app.mirror.store import MirrorLockedError
from app.mirror.sync import SyncStatus
from tests.conftest import Tenant
from tests.fault_proxy import FaultProxy
from tests.mirror.conftest import FAST_RETRY, session_for, synced

OpenLibrary = Callable[[str], Library]


@pytest.fixture
def proxy(tenant: Tenant) -> Iterator[FaultProxy]:
    with FaultProxy(tenant.server.url) as fault_proxy:
        yield fault_proxy


def _server_publication(tenant: Tenant, publication_id: int) -> dict[str, object]:
    path = f"/v2/groups/{tenant.group_id}/publications/{publication_id}"
    return tenant.api.get(path).json()["publication"][0]  # type: ignore[no-any-return]


def test_edit_then_archive_before_a_sync_is_no_conflict(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Old")["id"]
    library = open_library("a")
    api = session_for(tenant.server.url, tenant.key)
    synced(library, api)
    library.update_publication(one, {"title": "Old, renamed"})
    library.archive_publication(one)
    report = synced(library, api)
    assert (report.conflicts, report.pushed) == (0, 2)
    assert library.outbox() == []
    assert tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{one}").status_code == 404


def test_same_field_edited_again_after_a_sync_that_lost_its_answer_is_no_conflict(
    tenant: Tenant, proxy: FaultProxy, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Draft")["id"]
    library = open_library("a")
    api = session_for(proxy.url, tenant.key)
    synced(library, api)
    library.update_publication(one, {"title": "Draft 1"})
    proxy.drop_responses(FAST_RETRY.attempts)
    assert library.sync(api).status is SyncStatus.OFFLINE
    # The first edit may have reached the server; the second can't merge into it.
    library.update_publication(one, {"title": "Draft 2"})
    assert len(library.outbox()) == 2
    report = synced(library, api)
    assert report.conflicts == 0 and library.outbox() == []
    assert _server_publication(tenant, one)["title"] == "Draft 2"


def test_offline_creation_whose_answer_was_lost_then_edited_is_no_conflict(
    tenant: Tenant, proxy: FaultProxy, open_library: OpenLibrary
) -> None:
    library = open_library("a")
    api = session_for(proxy.url, tenant.key)
    synced(library, api)
    [local] = library.create_publication(
        tenant.group_id, {"title": "New", "source_url": "http://example.com/n.pdf"}
    ).ids
    proxy.drop_responses(FAST_RETRY.attempts)
    assert library.sync(api).status is SyncStatus.OFFLINE
    library.update_publication(local, {"title": "New, renamed"})
    report = synced(library, api)
    assert report.conflicts == 0 and library.outbox() == []
    [created] = library.publications()
    assert _server_publication(tenant, created.id)["title"] == "New, renamed"


def test_slug_given_to_an_offline_creation_is_set_once_it_exists(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    library = open_library("a")
    api = session_for(tenant.server.url, tenant.key)
    synced(library, api)
    [local] = library.create_publication(
        tenant.group_id,
        {"title": "Sluggy", "source_url": "http://example.com/s.pdf", "slug": "given-slug"},
    ).ids
    library.update_publication(local, {"slug": "better-slug"})
    assert library.publication(local).data["slug"] == "better-slug"
    synced(library, api)
    [created] = library.publications()
    assert _server_publication(tenant, created.id)["slug"] == "better-slug"
    assert library.outbox() == []


def test_deleting_an_offline_metatag_unassigns_it_and_the_other_edits_still_land(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Tagged")["id"]
    library = open_library("a")
    api = session_for(tenant.server.url, tenant.key)
    synced(library, api)
    [tag] = library.create_metatag(tenant.group_id, "season", "winter").ids
    library.update_publication(one, {"metatag_ids": [tag], "title": "Tagged, renamed"})
    library.delete_metatag(tag)
    assert library.publication(one).data["metatag_ids"] == []
    synced(library, api)
    assert library.outbox() == []
    server = _server_publication(tenant, one)
    assert (server["title"], server["metatag_ids"]) == ("Tagged, renamed", [])


def test_edit_that_names_a_refused_creation_fails_with_a_reason_instead_of_waiting(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Collected")["id"]
    library = open_library("a")
    api = session_for(tenant.server.url, tenant.key)
    synced(library, api)
    tenant.api.post(
        f"/v2/groups/{tenant.group_id}/metatags",
        json={"metatag": {"category": "season", "value": "spring"}},
    )
    # The same (category, value) exists on the server already: the creation is refused.
    [tag] = library.create_metatag(tenant.group_id, "season", "spring").ids
    library.update_publication(one, {"metatag_ids": [tag]})
    report = synced(library, api)
    assert report.failed == 2
    states = {entry.entity_type: entry for entry in library.outbox()}
    assert states["publication"].state == "failed"
    assert "did not accept" in (states["publication"].error or "")


def test_a_second_sync_of_the_same_library_while_one_runs_is_refused_as_busy(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    tenant.create_publication("Busy")
    library = open_library("a")
    api = session_for(tenant.server.url, tenant.key)
    inner: list[object] = []

    def sync_again(phase: str, done: int, total: int) -> None:
        if phase == "pull" and not inner:
            worker = threading.Thread(target=lambda: inner.append(library.sync(api)))
            worker.start()
            worker.join()

    assert library.sync(api, progress=sync_again).status is SyncStatus.OK
    [second] = inner
    assert second.status is SyncStatus.BUSY  # type: ignore[attr-defined]
    assert synced(library, api).status is SyncStatus.OK


def test_reaching_the_server_by_another_address_rewrites_urls_and_archives_cleanly(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Moved")["id"]
    library = open_library("a")
    synced(library, session_for(tenant.server.url, tenant.key))
    library.archive_publication(one)
    moved = tenant.server.url.replace("127.0.0.1", "localhost")
    [keep] = [tenant.create_publication("Kept")["id"]]
    report = synced(library, session_for(moved, tenant.key))
    assert report.conflicts == 0 and library.outbox() == []
    assert library.publication(keep).data["url"].startswith(moved + "/")
    assert tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{one}").status_code == 404


def test_a_full_pull_that_could_not_be_stored_is_fetched_again(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    library = open_library("a")
    api = session_for(tenant.server.url, tenant.key)
    one = tenant.create_publication("Late")["id"]
    blocker = sqlite3.connect(library.store.path, timeout=0)

    def lock_before_the_lists(phase: str, done: int, total: int) -> None:
        if phase == "pull" and done == 0 and not blocker.in_transaction:
            blocker.execute("BEGIN EXCLUSIVE")

    # The lists arrive but can't be written: the sync fails, saying why.
    with pytest.raises(MirrorLockedError):
        library.sync(api, progress=lock_before_the_lists, use_change_feed=False)
    blocker.rollback()
    blocker.close()
    # Their ETags were not kept without their rows, so the next pull fetches them again.
    assert library.sync(api, use_change_feed=False).status is SyncStatus.OK
    assert [p.id for p in library.publications()] == [one]
