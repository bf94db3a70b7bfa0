"""The change feed: ordered, per account, deletes and archives as ``delete``."""

from __future__ import annotations

from typing import Any

from tests.conftest import Tenant


def _feed(tenant: Tenant, since: int = 0, limit: int | None = None) -> dict[str, Any]:
    params: dict[str, int] = {"since": since}
    if limit is not None:
        params["limit"] = limit
    response = tenant.api.get("/v2/changes", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_every_write_gets_the_next_seq(tenant: Tenant) -> None:
    start = _feed(tenant)["next_since"]
    publication = tenant.create_publication("Feed me")
    tenant.api.put(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}",
        json={"publication": {"title": "Fed"}},
    )
    changes = _feed(tenant, since=start)["changes"]
    seqs = [c["seq"] for c in changes]
    assert seqs == list(range(start + 1, start + 1 + len(seqs)))
    publication_changes = [c for c in changes if c["type"] == "publication"]
    assert [c["data"]["title"] for c in publication_changes] == ["Feed me", "Fed"]
    assert {c["type"] for c in changes} >= {"publication", "conversion", "group"}


def test_archived_publication_appears_in_the_feed_as_delete(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    start = _feed(tenant)["next_since"]
    tenant.api.delete(f"/v2/groups/{tenant.group_id}/publications/{publication['id']}")
    changes = _feed(tenant, since=start)["changes"]
    deletes = [c for c in changes if c["type"] == "publication"]
    assert deletes == [
        {
            "seq": deletes[0]["seq"],
            "type": "publication",
            "id": publication["id"],
            "group_id": tenant.group_id,
            "op": "delete",
            "data": None,
        }
    ]


def test_deleted_metatag_and_collection_appear_as_delete(tenant: Tenant) -> None:
    g = tenant.group_id
    tag = tenant.api.post(
        f"/v2/groups/{g}/metatags", json={"metatag": {"category": "c", "value": "v"}}
    ).json()
    collection = tenant.api.post(
        f"/v2/groups/{g}/collections", json={"collection": {"title": "t"}}
    ).json()
    start = _feed(tenant)["next_since"]
    tenant.api.delete(f"/v2/groups/{g}/metatags/{tag['metatag']['id']}")
    tenant.api.delete(f"/v2/groups/{g}/collections/{collection['collection']['id']}")
    ops = [(c["type"], c["op"]) for c in _feed(tenant, since=start)["changes"]]
    assert ops == [("metatag", "delete"), ("collection", "delete")]


def test_force_deleting_a_metatag_updates_its_publications_in_the_feed(tenant: Tenant) -> None:
    g = tenant.group_id
    tag = tenant.api.post(
        f"/v2/groups/{g}/metatags", json={"metatag": {"category": "c", "value": "v"}}
    ).json()
    publication = tenant.create_publication(metatag_ids=[tag["metatag"]["id"]])
    start = _feed(tenant)["next_since"]
    response = tenant.api.delete(
        f"/v2/groups/{g}/metatags/{tag['metatag']['id']}", params={"force_delete": "true"}
    )
    assert response.status_code == 204
    changes = _feed(tenant, since=start)["changes"]
    updated = [c for c in changes if c["type"] == "publication"]
    assert updated[0]["id"] == publication["id"] and updated[0]["data"]["metatag_ids"] == []


def test_feed_pages_with_has_more(tenant: Tenant) -> None:
    for n in range(3):
        tenant.create_publication(f"Page {n}")
    seen: list[int] = []
    since = 0
    while True:
        page = _feed(tenant, since=since, limit=2)
        seen.extend(c["seq"] for c in page["changes"])
        since = page["next_since"]
        if not page["has_more"]:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == _feed(tenant)["next_since"]


def test_feed_is_per_account(tenant: Tenant, other_tenant: Tenant) -> None:
    other_tenant.create_publication("Theirs")
    mine = _feed(tenant)["changes"]
    assert all(c["group_id"] == tenant.group_id for c in mine)


def test_rejected_write_adds_nothing_to_the_feed(tenant: Tenant) -> None:
    before = _feed(tenant)["next_since"]
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/publications", json={"publication": {"title": ""}}
    )
    assert response.status_code == 422
    assert _feed(tenant)["next_since"] == before


def test_upsert_entries_carry_the_etag_that_get_and_if_match_use(tenant: Tenant) -> None:
    start = _feed(tenant)["next_since"]
    created = tenant.create_publication("Etag source")
    entry = next(
        change
        for change in _feed(tenant, start)["changes"]
        if change["type"] == "publication" and change["id"] == created["id"]
    )
    path = f"/v2/groups/{tenant.group_id}/publications/{created['id']}"
    assert tenant.api.get(path).headers["ETag"] == entry["etag"]
    update = tenant.api.put(
        path, json={"publication": {"title": "Renamed"}}, headers={"If-Match": entry["etag"]}
    )
    assert update.status_code == 200, update.text


def test_feed_reports_the_accounts_last_seq_for_progress(tenant: Tenant) -> None:
    tenant.create_publication("One")
    tenant.create_publication("Two")
    first = _feed(tenant, 0, limit=1)
    assert first["has_more"] is True
    assert first["last_seq"] >= 2
    assert first["last_seq"] == _feed(tenant, 0, limit=1000)["next_since"]
