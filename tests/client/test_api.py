"""FolioApi against a real ``folio serve`` over HTTP: every endpoint, its results and its errors."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import __version__
from app.client import (
    AuthenticationError,
    Fetched,
    FolioApi,
    MalformedResponseError,
    NotFoundApiError,
    PermissionDeniedError,
    PreconditionFailedError,
    Resource,
    RetryPolicy,
    StateConflictError,
    ValidationFailedError,
)
from app.core.enums import KeyScope
from tests.conftest import LiveServer, Tenant, make_tenant, mark_converted
from tests.fault_proxy import FaultProxy
from tests.sample_pdfs import plain_pdf

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)
SOURCE = "http://example.com/spring.pdf"


def connect(url: str, key: str) -> FolioApi:
    return FolioApi.connect(url, key, retry=FAST)


@pytest.fixture
def api(tenant: Tenant) -> Iterator[FolioApi]:
    with connect(tenant.server.url, tenant.key) as client:
        yield client


def _new(api: FolioApi, tenant: Tenant, title: str = "Spring", **fields: Any) -> Resource:
    return api.create_publication(tenant.group_id, title, SOURCE, **fields).data


# --- health, groups


def test_health_says_ok_and_the_server_version(api: FolioApi) -> None:
    health = api.health()
    assert health["status"] == "ok" and health["version"] == __version__


def test_groups_are_listed_created_and_fetched(api: FolioApi, tenant: Tenant) -> None:
    assert [g["id"] for g in api.list_groups()] == [tenant.group_id]
    created = api.create_group("Autumn Catalogues")
    assert created.data["slug"].startswith("autumn-catalogues") and created.etag
    assert [g["id"] for g in api.list_groups()] == [tenant.group_id, created.data["id"]]
    fetched = api.get_group(created.data["id"])
    assert fetched.data["title"] == "Autumn Catalogues" and fetched.etag == created.etag


# --- publications


def test_created_publication_is_fetched_unwrapped_with_its_etag(
    api: FolioApi, tenant: Tenant
) -> None:
    created = api.create_publication(
        tenant.group_id, "Spring 2014", SOURCE, language="en", description="New season"
    )
    assert created.data["title"] == "Spring 2014" and created.data["state"] == "offline"
    fetched = api.get_publication(tenant.group_id, created.data["id"])
    assert isinstance(fetched, Fetched) and not fetched.not_modified
    assert fetched.data["id"] == created.data["id"]
    assert fetched.data["language"] == "en" and fetched.data["description"] == "New season"
    assert fetched.etag is not None and fetched.etag == created.etag
    with pytest.raises(dataclasses.FrozenInstanceError):
        fetched.etag = "x"  # type: ignore[misc]


def test_current_etag_gives_not_modified_and_a_changed_one_the_new_data(
    api: FolioApi, tenant: Tenant
) -> None:
    publication = _new(api, tenant)
    first = api.get_publication(tenant.group_id, publication["id"])
    again = api.get_publication(tenant.group_id, publication["id"], if_none_match=first.etag)
    assert again.not_modified and again.data == {} and again.etag == first.etag
    api.update_publication(tenant.group_id, publication["id"], {"title": "Renamed"})
    changed = api.get_publication(tenant.group_id, publication["id"], if_none_match=first.etag)
    assert not changed.not_modified and changed.data["title"] == "Renamed"
    assert changed.etag != first.etag


def test_update_with_the_current_etag_applies_and_a_stale_one_changes_nothing(
    api: FolioApi, tenant: Tenant
) -> None:
    publication = _new(api, tenant)
    stale = api.get_publication(tenant.group_id, publication["id"]).etag
    updated = api.update_publication(
        tenant.group_id, publication["id"], {"title": "Summer", "slug": "summer"}, if_match=stale
    )
    assert updated.data["title"] == "Summer" and updated.data["slug"] == "summer"
    with pytest.raises(PreconditionFailedError) as caught:
        api.update_publication(tenant.group_id, publication["id"], {"title": "X"}, if_match=stale)
    assert caught.value.status == 412 and caught.value.code == "precondition_failed"
    current = api.get_publication(tenant.group_id, publication["id"])
    assert current.data["title"] == "Summer" and current.etag == updated.etag


def test_listing_follows_pages_past_one_hundred_publications(api: FolioApi, tenant: Tenant) -> None:
    created = [_new(api, tenant, f"Catalogue {n}")["id"] for n in range(105)]
    assert [p["id"] for p in api.iter_publications(tenant.group_id)] == created
    second = api.publications_page(tenant.group_id, 2)
    assert [p["id"] for p in second.items] == created[100:]
    assert second.total == 105 and second.next_page is None
    first = api.publications_page(tenant.group_id, 1)
    assert len(first.items) == 100 and first.next_page == 2
    again = api.publications_page(tenant.group_id, 1, if_none_match=first.etag)
    assert again.not_modified and again.items == []


def test_online_unlisted_and_offline_move_a_publication_between_state_filters(
    api: FolioApi, tenant: Tenant
) -> None:
    publication = _new(api, tenant)
    other = _new(api, tenant, "Other")
    mark_converted(tenant.server, publication["id"])

    def ids(state: str) -> list[int]:
        return [p["id"] for p in api.iter_publications(tenant.group_id, state=state)]

    online = api.put_online(tenant.group_id, publication["id"]).data
    assert online["state"] == "online" and online["disable_seo"] is False
    assert ids("online") == ids("public") == [publication["id"]]
    unlisted = api.put_unlisted(tenant.group_id, publication["id"]).data
    assert unlisted["state"] == "online" and unlisted["disable_seo"] is True
    assert ids("unlisted") == [publication["id"]] and ids("public") == []
    offline = api.put_offline(tenant.group_id, publication["id"]).data
    assert offline["state"] == "offline"
    assert ids("offline") == [publication["id"], other["id"]] and ids("online") == []


def test_putting_an_unconverted_publication_online_is_a_validation_error(
    api: FolioApi, tenant: Tenant
) -> None:
    publication = _new(api, tenant)
    with pytest.raises(ValidationFailedError):
        api.put_online(tenant.group_id, publication["id"])


def test_collection_filter_lists_only_that_collections_publications(
    api: FolioApi, tenant: Tenant
) -> None:
    collection = api.create_collection(tenant.group_id, "Spring").data
    inside = _new(api, tenant, "Inside", collection_id=collection["id"])
    _new(api, tenant, "Outside")
    listed = api.iter_publications(tenant.group_id, collection_id=collection["id"])
    assert [p["id"] for p in listed] == [inside["id"]]


def test_archived_publication_is_gone_and_a_stale_etag_does_not_archive(
    api: FolioApi, tenant: Tenant
) -> None:
    publication = _new(api, tenant)
    stale = api.get_publication(tenant.group_id, publication["id"]).etag
    api.update_publication(tenant.group_id, publication["id"], {"description": "changed"})
    with pytest.raises(PreconditionFailedError):
        api.archive_publication(tenant.group_id, publication["id"], if_match=stale)
    current = api.get_publication(tenant.group_id, publication["id"]).etag
    api.archive_publication(tenant.group_id, publication["id"], if_match=current)
    with pytest.raises(NotFoundApiError):
        api.get_publication(tenant.group_id, publication["id"])
    assert list(api.iter_publications(tenant.group_id)) == []


def test_invalid_fields_raise_validation_failed_with_the_field_errors(
    api: FolioApi, tenant: Tenant
) -> None:
    with pytest.raises(ValidationFailedError) as caught:
        api.create_publication(tenant.group_id, "", SOURCE, language="klingon")
    assert caught.value.status == 422
    assert {"title", "language"} <= set(caught.value.field_errors)
    assert all(isinstance(m, str) for ms in caught.value.field_errors.values() for m in ms)
    publication = _new(api, tenant)
    with pytest.raises(ValidationFailedError) as caught:
        api.update_publication(tenant.group_id, publication["id"], {"slug": "Not A Slug!"})
    assert "slug" in caught.value.field_errors


def test_unknown_or_foreign_ids_raise_not_found(
    api: FolioApi, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = other_tenant.create_publication()
    for call in (
        lambda: api.get_publication(tenant.group_id, 2**40),
        lambda: api.get_publication(other_tenant.group_id, theirs["id"]),
        lambda: api.get_metatag(tenant.group_id, 2**40),
        lambda: api.get_collection(tenant.group_id, 2**40),
        lambda: api.get_hotspot(2**40, 1),
        lambda: list(api.iter_publications(other_tenant.group_id)),
    ):
        with pytest.raises(NotFoundApiError) as caught:
            call()
        assert caught.value.status == 404


# --- metatags and collections


def test_metatags_are_created_listed_fetched_updated_and_deleted(
    api: FolioApi, tenant: Tenant
) -> None:
    created = api.create_metatag(tenant.group_id, "season", "spring")
    assert created.data["category"] == "season" and created.data["value"] == "spring"
    tag_id = created.data["id"]
    assert [m["id"] for m in api.list_metatags(tenant.group_id)] == [tag_id]
    fetched = api.get_metatag(tenant.group_id, tag_id)
    assert fetched.data == created.data and fetched.etag == created.etag
    updated = api.update_metatag(tenant.group_id, tag_id, value="summer", if_match=fetched.etag)
    assert updated.data["value"] == "summer" and updated.data["category"] == "season"
    with pytest.raises(PreconditionFailedError):
        api.delete_metatag(tenant.group_id, tag_id, if_match=fetched.etag)
    with pytest.raises(ValidationFailedError) as caught:
        api.create_metatag(tenant.group_id, "season", "summer")
    assert "value" in caught.value.field_errors
    api.delete_metatag(tenant.group_id, tag_id)
    assert api.list_metatags(tenant.group_id) == []


def test_deleting_a_metatag_in_use_conflicts_unless_forced(api: FolioApi, tenant: Tenant) -> None:
    tag = api.create_metatag(tenant.group_id, "season", "spring").data
    publication = _new(api, tenant, metatag_ids=[tag["id"]])
    assert publication["metatag_ids"] == [tag["id"]]
    with pytest.raises(StateConflictError) as caught:
        api.delete_metatag(tenant.group_id, tag["id"])
    assert caught.value.status == 409 and "force_delete" in str(caught.value)
    api.delete_metatag(tenant.group_id, tag["id"], force_delete=True)
    assert api.get_publication(tenant.group_id, publication["id"]).data["metatag_ids"] == []


def test_collections_are_created_listed_fetched_updated_and_deleted(
    api: FolioApi, tenant: Tenant
) -> None:
    created = api.create_collection(tenant.group_id, "Spring")
    collection_id = created.data["id"]
    assert [c["id"] for c in api.list_collections(tenant.group_id)] == [collection_id]
    fetched = api.get_collection(tenant.group_id, collection_id)
    assert fetched.data["title"] == "Spring" and fetched.etag == created.etag
    updated = api.update_collection(tenant.group_id, collection_id, "Summer", if_match=fetched.etag)
    assert updated.data["title"] == "Summer"
    with pytest.raises(PreconditionFailedError):
        api.update_collection(tenant.group_id, collection_id, "Autumn", if_match=fetched.etag)
    api.delete_collection(tenant.group_id, collection_id, if_match=updated.etag)
    assert api.list_collections(tenant.group_id) == []


def test_deleting_a_collection_that_holds_publications_conflicts(
    api: FolioApi, tenant: Tenant
) -> None:
    collection = api.create_collection(tenant.group_id, "Spring").data
    _new(api, tenant, collection_id=collection["id"])
    with pytest.raises(StateConflictError) as caught:
        api.delete_collection(tenant.group_id, collection["id"])
    assert caught.value.code == "collection_not_empty"


# --- conversions (this server leaves them waiting: conversions are switched off)


def test_conversions_are_listed_fetched_and_canceled(api: FolioApi, tenant: Tenant) -> None:
    publication = _new(api, tenant)
    [conversion] = api.list_conversions(tenant.group_id, publication["id"])
    assert conversion["state"] == "new" and conversion["source_type"] == "new_publication"
    fetched = api.get_conversion(tenant.group_id, publication["id"], conversion["id"])
    assert fetched.data == conversion and fetched.etag
    canceled = api.cancel_conversion(tenant.group_id, publication["id"], conversion["id"])
    assert canceled.data["state"] == "canceled"
    with pytest.raises(StateConflictError):
        api.cancel_conversion(tenant.group_id, publication["id"], conversion["id"])


# --- uploads


def test_upload_file_streams_a_file_from_disk(
    api: FolioApi, tenant: Tenant, tmp_path: Path
) -> None:
    data = plain_pdf(2) + b"\n%" + bytes(range(256)) * 8192  # ~2 MB, past any one chunk
    path = tmp_path / "spring catalogue.pdf"
    path.write_bytes(data)
    upload = api.upload_file(path)
    assert upload["size"] == len(data)
    assert upload["sha256"] == hashlib.sha256(data).hexdigest()
    assert upload["filename"] == "spring catalogue.pdf"
    stored = tenant.api.get(upload["source_url"].removeprefix(tenant.server.url))
    assert stored.content == data


def test_upload_bytes_sends_them_as_a_named_file(api: FolioApi, tenant: Tenant) -> None:
    data = b"sku,title\nWP06,Jacket\n"
    upload = api.upload_bytes(data, "feed.csv")
    assert upload["size"] == len(data) and upload["filename"] == "feed.csv"
    assert upload["content_type"] == "text/csv"
    publication = api.create_publication(tenant.group_id, "From upload", upload["source_url"])
    assert publication.data["id"]


# --- change feed


def test_change_feed_pages_through_the_accounts_writes(api: FolioApi, tenant: Tenant) -> None:
    assert api.has_change_feed()
    start = api.changes().next_since
    tag = api.create_metatag(tenant.group_id, "season", "spring").data
    collection = api.create_collection(tenant.group_id, "Spring").data
    first = api.changes(since=start, limit=1)
    assert first.has_more and len(first.changes) == 1 and first.next_since > start
    assert (first.changes[0]["type"], first.changes[0]["id"]) == ("metatag", tag["id"])
    rest = api.changes(since=first.next_since)
    assert not rest.has_more
    assert [(c["type"], c["id"], c["op"]) for c in rest.changes] == [
        ("collection", collection["id"], "upsert")
    ]
    assert api.changes(since=rest.next_since).changes == []


def test_has_change_feed_is_false_when_the_server_answers_404(
    server: LiveServer, tenant: Tenant
) -> None:
    not_found = (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 48\r\n\r\n"
        b'{"error": "Not Found", "code": "not_found"}     '
    )
    with FaultProxy(server.url) as proxy, connect(proxy.url, tenant.key) as api:
        proxy.replace_responses(not_found)
        assert api.has_change_feed() is False
        assert api.has_change_feed() is True
        assert [r.path for r in proxy.seen] == ["/v2/changes?since=0&limit=1"] * 2


# --- keys and scopes


def test_api_keys_are_created_listed_and_revoked(api: FolioApi, tenant: Tenant) -> None:
    created = api.create_api_key("robot", KeyScope.WRITE)
    assert created["scope"] == "write" and created["key"].startswith(created["prefix"])
    listed = {k["name"]: k for k in api.list_api_keys()}
    assert listed["robot"]["id"] == created["id"] and "key" not in listed["robot"]
    with connect(tenant.server.url, created["key"]) as robot:
        assert robot.list_groups()[0]["id"] == tenant.group_id
        api.revoke_api_key(created["id"])
        with pytest.raises(AuthenticationError) as caught:
            robot.list_groups()
        assert caught.value.status == 401 and created["key"] not in str(caught.value)
    listed = {k["name"]: k for k in api.list_api_keys()}
    assert listed["robot"]["revoked_at"] is not None


def test_read_key_reads_but_writing_is_permission_denied(api: FolioApi, tenant: Tenant) -> None:
    publication = _new(api, tenant)
    reader_key = tenant.key_with_scope(KeyScope.READ).key
    with connect(tenant.server.url, reader_key) as reader:
        assert reader.get_publication(tenant.group_id, publication["id"]).data["id"]
        with pytest.raises(PermissionDeniedError) as caught:
            reader.update_publication(tenant.group_id, publication["id"], {"title": "X"})
        assert caught.value.status == 403
        with pytest.raises(PermissionDeniedError):
            reader.list_api_keys()


def test_wrong_key_is_an_authentication_error(server: LiveServer) -> None:
    with connect(server.url, "not-a-real-key") as stranger, pytest.raises(AuthenticationError):
        stranger.list_groups()


# --- pages, spreads, hotspots: on a server that converts


@pytest.fixture(scope="module")
def converted(converting_server: LiveServer) -> Iterator[tuple[Tenant, FolioApi, Resource]]:
    """A tenant with a converted three-page publication (booklet: spreads 1, 2-3)."""
    tenant = make_tenant(converting_server)
    with connect(converting_server.url, tenant.key) as client:
        source = client.upload_bytes(plain_pdf(3), "three.pdf")["source_url"]
        publication = client.create_publication(tenant.group_id, "Pages", source).data
        _wait(client, tenant.group_id, publication["id"])
        yield tenant, client, publication


def _wait(api: FolioApi, group_id: int, publication_id: int, timeout: float = 60) -> Resource:
    """Wait for the newest conversion to end, through the client's own calls."""
    deadline = time.monotonic() + timeout
    newest = api.list_conversions(group_id, publication_id)[0]
    while newest["state"] not in ("finished", "failed", "canceled"):
        assert time.monotonic() < deadline, newest
        time.sleep(0.05)
        newest = api.get_conversion(group_id, publication_id, newest["id"]).data
    assert newest["state"] == "finished", newest
    return newest


def test_spreads_follow_the_booklet_layout(
    converted: tuple[Tenant, FolioApi, Resource],
) -> None:
    tenant, api, publication = converted
    spreads = api.list_spreads(tenant.group_id, publication["id"])
    assert [s["page_numbers"] for s in spreads] == [[1], [2, 3]]
    assert all(s["width"] > 0 and s["height"] > 0 for s in spreads)


def test_hotspots_are_created_listed_fetched_patched_and_deleted(
    converted: tuple[Tenant, FolioApi, Resource],
) -> None:
    tenant, api, publication = converted
    spread_id = api.list_spreads(tenant.group_id, publication["id"])[0]["id"]
    box = {"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.1}
    created = api.create_hotspot(
        spread_id, {"type": "external_link", "url": "https://example.com/a", **box}
    )
    hotspot = created.data
    assert hotspot["type"] == "external_link" and hotspot["x"] == pytest.approx(0.1)
    assert [h["id"] for h in api.list_hotspots(spread_id)] == [hotspot["id"]]
    fetched = api.get_hotspot(spread_id, hotspot["id"])
    assert fetched.data["url"] == "https://example.com/a" and fetched.etag == created.etag
    patched = api.update_hotspot(
        spread_id, hotspot["id"], {"url": "https://example.com/b"}, if_match=fetched.etag
    )
    assert patched.data["url"] == "https://example.com/b"
    assert patched.data["width"] == pytest.approx(0.3)
    with pytest.raises(PreconditionFailedError):
        api.update_hotspot(spread_id, hotspot["id"], {"x": 0.2}, if_match=fetched.etag)
    with pytest.raises(ValidationFailedError) as caught:
        api.update_hotspot(spread_id, hotspot["id"], {"type": "video"})
    assert "type" in caught.value.field_errors
    api.delete_hotspot(spread_id, hotspot["id"], if_match=patched.etag)
    assert api.list_hotspots(spread_id) == []


def test_pages_are_added_replaced_and_removed(
    converted: tuple[Tenant, FolioApi, Resource],
) -> None:
    tenant, api, publication = converted
    group_id, publication_id = tenant.group_id, publication["id"]
    two_pages = api.upload_bytes(plain_pdf(2, width=400, height=400), "two.pdf")["source_url"]
    added = api.add_pages(group_id, publication_id, two_pages, position=2).data
    assert added["source_type"] == "api_add_pages"
    _wait(api, group_id, publication_id)
    assert api.get_publication(group_id, publication_id).data["page_count"] == 5
    replaced = api.replace_page(group_id, publication_id, 5, two_pages, source_page_number=2)
    assert replaced.data["source_type"] == "api_replace_page"
    _wait(api, group_id, publication_id)
    before = api.get_publication(group_id, publication_id)
    after = api.remove_page(group_id, publication_id, 1, if_match=before.etag)
    assert after.data["page_count"] == 4 and after.etag != before.etag
    assert api.get_publication(group_id, publication_id).etag == after.etag
    pages = [n for s in api.list_spreads(group_id, publication_id) for n in s["page_numbers"]]
    assert pages == [1, 2, 3, 4]


# --- product feeds and the catalogue (skipped while the server has no such routes)


def _feeds_or_skip(api: FolioApi, group_id: int) -> list[Resource]:
    try:
        return api.list_product_feeds(group_id)
    except NotFoundApiError:
        pytest.skip("this server has no product feed routes yet")


def _import_ended(api: FolioApi, group_id: int, feed: Resource) -> Resource:
    deadline = time.monotonic() + 30
    while feed["state"] in ("scheduled", "processing"):
        assert time.monotonic() < deadline, feed
        time.sleep(0.1)
        feed = api.get_product_feed(group_id, feed["id"]).data
    return feed


def test_product_feeds_are_created_listed_fetched_patched_and_deleted(
    api: FolioApi, tenant: Tenant
) -> None:
    assert _feeds_or_skip(api, tenant.group_id) == []
    feed_csv = b"sku,title,url,image_url,price\nWP06,Jacket,https://example.com/wp06,,49.95\n"
    source = api.upload_bytes(feed_csv, "feed.csv")["source_url"]
    created = api.create_product_feed(tenant.group_id, source).data
    assert created["url"] == source
    assert created["state"] in ("scheduled", "processing", "success", "failed")
    feed = _import_ended(api, tenant.group_id, created)
    assert feed["id"] == created["id"]
    assert [f["id"] for f in api.list_product_feeds(tenant.group_id)] == [feed["id"]]
    again = _import_ended(
        api, tenant.group_id, api.patch_product_feed(tenant.group_id, feed["id"], source).data
    )
    assert again["url"] == source
    api.delete_product_feed(tenant.group_id, again["id"])
    assert list(api.iter_products(tenant.group_id)) == []


def test_products_are_looked_up_by_sku(api: FolioApi, tenant: Tenant) -> None:
    _feeds_or_skip(api, tenant.group_id)
    assert all(isinstance(p, dict) for p in api.iter_products(tenant.group_id))
    assert list(api.iter_products(tenant.group_id, sku="NO-SUCH-SKU")) == []


# --- shape checks


def test_answer_without_the_expected_key_is_malformed(server: LiveServer, tenant: Tenant) -> None:
    wrong_shape = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
        b'{"groups": 42 }'
    )
    with FaultProxy(server.url) as proxy, connect(proxy.url, tenant.key) as api:
        proxy.replace_responses(wrong_shape)
        with pytest.raises(MalformedResponseError):
            api.list_groups()
        proxy.replace_responses(wrong_shape.replace(b'"groups"', b'"thing" '))
        with pytest.raises(MalformedResponseError):
            api.get_publication(tenant.group_id, 1)
