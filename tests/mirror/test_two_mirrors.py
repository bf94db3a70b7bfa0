"""Two libraries and one real server: every edit arrives once, conflicts are kept, nothing lost."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.client.transport import ApiSession
from app.core.errors import ValidationError
from app.mirror.conflicts import Choice
from app.mirror.library import Library
from app.mirror.sync import SyncStatus
from tests.conftest import LiveServer, ServerFactory, Tenant, make_tenant
from tests.mirror.conftest import session_for, synced
from tests.sample_pdfs import plain_pdf

OpenLibrary = Callable[[str], Library]


def _pair(tenant: Tenant, open_library: OpenLibrary) -> tuple[Library, Library, ApiSession]:
    api = session_for(tenant.server.url, tenant.key)
    first, second = open_library("first"), open_library("second")
    synced(first, api)
    synced(second, api)
    return first, second, api


def _server_titles(tenant: Tenant) -> dict[int, str]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications")
    return {p["id"]: p["title"] for p in response.json()["publications"]}


def test_edits_on_both_mirrors_reach_the_server_and_each_other(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("One")["id"]
    two = tenant.create_publication("Two")["id"]
    first, second, api = _pair(tenant, open_library)

    first.update_publication(one, {"title": "One (first)"})
    second.update_publication(two, {"title": "Two (second)", "language": "de"})
    synced(first, api)
    synced(second, api)
    synced(first, api)

    assert _server_titles(tenant) == {one: "One (first)", two: "Two (second)"}
    for library in (first, second):
        assert library.publication(one).data["title"] == "One (first)"
        assert library.publication(two).data["language"] == "de"
        assert library.outbox() == []
        assert not library.publication(two).pending


def test_quick_successive_edits_go_out_as_one_request(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Draft")["id"]
    first, _, api = _pair(tenant, open_library)
    for n in range(5):
        first.update_publication(one, {"title": f"Draft {n}"})
    assert len(first.outbox()) == 1
    assert synced(first, api).pushed == 1
    assert _server_titles(tenant)[one] == "Draft 4"


def test_same_field_edited_on_both_becomes_a_conflict_keeping_both_versions(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Summer")["id"]
    first, second, api = _pair(tenant, open_library)
    first.update_publication(one, {"title": "Summer sale"})
    second.update_publication(one, {"title": "Summer collection", "description": "New in"})
    synced(first, api)
    report = synced(second, api)

    assert report.conflicts == 1
    [conflict] = second.conflicts()
    assert conflict.fields == ["title"]
    assert conflict.mine["title"] == "Summer collection"
    assert conflict.theirs is not None and conflict.theirs["title"] == "Summer sale"
    # The user still sees their own value, marked as in conflict; the server kept the first.
    assert second.publication(one).data["title"] == "Summer collection"
    assert second.publication(one).conflict
    assert _server_titles(tenant)[one] == "Summer sale"
    # Syncing again does not resend it or lose it.
    assert synced(second, api).pushed == 0
    assert len(second.conflicts()) == 1


def test_keeping_mine_sends_my_value_over_theirs(tenant: Tenant, open_library: OpenLibrary) -> None:
    one = tenant.create_publication("Autumn")["id"]
    first, second, api = _pair(tenant, open_library)
    first.update_publication(one, {"title": "Autumn A"})
    second.update_publication(one, {"title": "Autumn B"})
    synced(first, api)
    synced(second, api)
    second.resolve_conflict(second.conflicts()[0].id, Choice.MINE)
    assert synced(second, api).pushed == 1
    synced(first, api)
    assert _server_titles(tenant)[one] == "Autumn B"
    assert first.publication(one).data["title"] == "Autumn B"
    assert second.conflicts() == [] and second.outbox() == []


def test_keeping_theirs_drops_my_edit(tenant: Tenant, open_library: OpenLibrary) -> None:
    one = tenant.create_publication("Winter")["id"]
    first, second, api = _pair(tenant, open_library)
    first.update_publication(one, {"title": "Winter A"})
    second.update_publication(one, {"title": "Winter B"})
    synced(first, api)
    synced(second, api)
    second.resolve_conflict(second.conflicts()[0].id, Choice.THEIRS)
    assert second.publication(one).data["title"] == "Winter A"
    assert not second.publication(one).pending
    synced(second, api)
    assert _server_titles(tenant)[one] == "Winter A"


def test_merging_per_field_keeps_the_chosen_value_of_each(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Spring")["id"]
    first, second, api = _pair(tenant, open_library)
    first.update_publication(one, {"title": "Spring A", "description": "from A"})
    second.update_publication(one, {"title": "Spring B", "description": "from B"})
    synced(first, api)
    synced(second, api)
    [conflict] = second.conflicts()
    assert sorted(conflict.fields) == ["description", "title"]
    second.resolve_conflict(conflict.id, {"title": Choice.MINE, "description": Choice.THEIRS})
    synced(second, api)
    data = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{one}").json()
    assert data["publication"][0]["title"] == "Spring B"
    assert data["publication"][0]["description"] == "from A"


def test_edits_of_different_fields_merge_without_a_conflict(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Catalogue")["id"]
    first, second, api = _pair(tenant, open_library)
    first.update_publication(one, {"title": "Catalogue 2027"})
    second.update_publication(one, {"description": "All products"})
    synced(first, api)
    report = synced(second, api)
    assert report.conflicts == 0 and report.pushed == 1
    synced(first, api)
    for library in (first, second):
        data = library.publication(one).data
        assert (data["title"], data["description"]) == ("Catalogue 2027", "All products")


def test_archive_on_one_mirror_is_a_deletion_on_the_other(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Old")["id"]
    keep = tenant.create_publication("Kept")["id"]
    first, second, api = _pair(tenant, open_library)
    first.archive_publication(one)
    assert [p.id for p in first.publications()] == [keep]  # gone locally at once
    synced(first, api)
    synced(second, api)
    assert [p.id for p in second.publications()] == [keep]
    assert tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{one}").status_code == 404


def test_publication_created_from_a_local_pdf_is_uploaded_and_gets_the_server_id(
    tenant: Tenant, open_library: OpenLibrary, tmp_path: Path
) -> None:
    first, second, api = _pair(tenant, open_library)
    pdf = tmp_path / "lookbook.pdf"
    pdf.write_bytes(plain_pdf(2))
    change = first.create_publication(
        tenant.group_id, {"title": "Lookbook", "source_path": str(pdf)}
    )
    [local_id] = change.ids
    assert local_id < 0 and first.publication(local_id).pending
    report = synced(first, api)
    [created] = first.publications()
    assert created.id > 0 and not created.pending
    assert report.adopted == [("publication", local_id, created.id)]
    synced(second, api)
    assert second.publication(created.id).data["title"] == "Lookbook"
    conversions = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{created.id}/conversions"
    ).json()["conversions"]
    assert conversions[0]["source_type"] == "new_publication"


def test_collection_and_metatag_created_offline_are_assigned_with_their_server_ids(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Shoes")["id"]
    first, second, api = _pair(tenant, open_library)
    [collection] = first.create_collection(tenant.group_id, "Footwear").ids
    [metatag] = first.create_metatag(tenant.group_id, "season", "summer").ids
    first.update_publication(one, {"collection_id": collection, "metatag_ids": [metatag]})
    synced(first, api)
    [server_collection] = first.collections(tenant.group_id)
    [server_metatag] = first.metatags(tenant.group_id)
    assert server_collection.id > 0 and server_metatag.id > 0
    on_server = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{one}").json()
    assert on_server["publication"][0]["collection_id"] == server_collection.id
    assert on_server["publication"][0]["metatag_ids"] == [server_metatag.id]
    synced(second, api)
    assert second.publication(one).data["collection_id"] == server_collection.id


def test_a_refused_edit_is_kept_as_failed_with_the_servers_message(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("First")["id"]
    two = tenant.create_publication("Second")["id"]
    first, _, api = _pair(tenant, open_library)
    taken = first.publication(one).data["slug"]
    first.update_publication(two, {"slug": taken})
    first.set_publication_state(one, "online")  # not converted yet: the server refuses
    report = synced(first, api)
    assert report.failed == 2
    failed = {entry.entity_id: entry for entry in first.outbox()}
    assert failed[two].state == "failed" and "slug" in (failed[two].field_errors or {})
    assert failed[one].state == "failed" and failed[one].error
    # The user's value is still shown, with the reason.
    assert first.publication(two).data["slug"] == taken
    assert first.publication(two).sync_error
    first.discard(failed[two].id)
    assert first.publication(two).data["slug"] != taken
    assert not first.publication(two).pending


def test_local_validation_refuses_bad_fields_before_queueing(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Valid")["id"]
    first, _, _ = _pair(tenant, open_library)
    with pytest.raises(ValidationError) as refused:
        first.update_publication(one, {"slug": "Not A Slug", "language": "xx", "title": " "})
    assert set(refused.value.errors) == {"slug", "language", "title"}
    assert first.outbox() == []


def test_offline_edits_are_replayed_after_the_server_comes_back(
    server_factory: ServerFactory, open_library: OpenLibrary
) -> None:
    live = server_factory("--conversion-processes", "0")
    tenant = make_tenant(live)
    one = tenant.create_publication("Offline")["id"]
    first, second = open_library("first"), open_library("second")
    api = session_for(live.url, tenant.key)
    synced(first, api)
    live.stop()

    first.update_publication(one, {"title": "Edited on the train"})
    [collection] = first.create_collection(tenant.group_id, "Train").ids
    first.create_publication(
        tenant.group_id, {"title": "New on the train", "source_url": "http://example.com/a.pdf"}
    )
    report = first.sync(api)
    assert report.status is SyncStatus.OFFLINE
    assert "connection refused" in (report.message or "")
    assert len(first.outbox()) == 3
    assert first.publication(one).data["title"] == "Edited on the train"

    restarted = server_factory.restart(live, "--conversion-processes", "0")
    api = session_for(restarted.url, tenant.key)
    assert synced(first, api).pushed == 3
    synced(second, api)
    titles = sorted(p.data["title"] for p in second.publications())
    assert titles == ["Edited on the train", "New on the train"]
    assert [c.data["title"] for c in second.collections(tenant.group_id)] == ["Train"]
    assert collection < 0  # it was a local id until the server gave one


def test_first_sync_of_2000_publications_then_a_no_change_resync(
    server: LiveServer, open_library: OpenLibrary
) -> None:
    tenant = make_tenant(server)
    body = {"publication": {"title": "Bulk", "source_url": "http://example.com/b.pdf"}}
    path = f"/v2/groups/{tenant.group_id}/publications"

    def create(_: int) -> int:
        return tenant.api.post(path, json=body).status_code

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(create, range(2000))) == {201}
    library = open_library("bulk")
    api = session_for(tenant.server.url, tenant.key)
    first = synced(library, api)
    assert library.publication_count(tenant.group_id) == 2000
    assert first.pulled >= 2000
    again = synced(library, api)
    assert again.pulled == 0 and again.pushed == 0
    assert again.seconds < 1.0


def test_keeping_mine_after_the_server_changed_again_asks_again_instead_of_overwriting(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("T0")["id"]
    path = f"/v2/groups/{tenant.group_id}/publications/{one}"
    api = session_for(tenant.server.url, tenant.key)
    library = open_library("a")
    synced(library, api)
    tenant.api.put(path, json={"publication": {"title": "B1"}})
    library.update_publication(one, {"title": "A"})
    synced(library, api)
    [shown] = library.conflicts()
    assert shown.theirs is not None and shown.theirs["title"] == "B1"
    tenant.api.put(path, json={"publication": {"title": "B2"}})  # not in the dialog
    synced(library, api)
    library.resolve_conflict(shown.id, Choice.MINE)
    report = synced(library, api)
    assert report.conflicts == 1
    [again] = library.conflicts()
    assert again.theirs is not None and again.theirs["title"] == "B2"
    assert tenant.api.get(path).json()["publication"][0]["title"] == "B2"
