"""Publications over real HTTP: create, list, get, update, state changes, archive."""

from __future__ import annotations

from tests.conftest import Tenant, make_tenant, mark_converted


def test_create_from_form_fields_returns_seed_shape(tenant: Tenant) -> None:
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/publications",
        data={
            "publication[title]": "Winter2014",
            "publication[source_url]": "http://example.com/winter2014.pdf",
            "publication[browser_title]": "BrowserWinter2014",
            "publication[description]": "Winter2014Description",
        },
    )
    assert response.status_code == 201, response.text
    publication = response.json()["publication"]
    assert publication["title"] == "Winter2014"
    assert publication["slug"] == "winter2014"
    assert publication["state"] == "offline"
    assert publication["page_count"] == 0
    assert publication["public_url"] is None
    assert publication["metatag_ids"] == []
    assert (
        publication["url"]
        == f"{tenant.server.url}/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    )


def test_creating_records_a_new_conversion(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    conversions = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}/conversions"
    ).json()["conversions"]
    assert len(conversions) == 1
    assert conversions[0]["state"] == "new"
    assert conversions[0]["source_type"] == "new_publication"
    assert conversions[0]["publication_id"] == publication["id"]


def test_slugs_are_unique_per_group(tenant: Tenant) -> None:
    slugs = [tenant.create_publication("Spring Sale!")["slug"] for _ in range(3)]
    assert slugs == ["spring-sale", "spring-sale-2", "spring-sale-3"]
    other = make_tenant(tenant.server)
    assert other.create_publication("Spring Sale!")["slug"] == "spring-sale"


def test_get_is_array_wrapped(tenant: Tenant) -> None:
    created = tenant.create_publication()
    body = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{created['id']}").json()
    assert isinstance(body["publication"], list)
    assert body["publication"][0]["id"] == created["id"]


def test_required_fields_and_formats_are_validated(tenant: Tenant) -> None:
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/publications",
        json={
            "publication": {
                "language": "xx",
                "valid_from": "yesterday",
                "source_url": "ftp://x/y.pdf",
            }
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) >= {"title", "language", "valid_from", "source_url"}
    assert all(isinstance(msg, str) for msgs in errors.values() for msg in msgs)


def test_update_replaces_metatags_and_empty_list_clears(tenant: Tenant) -> None:
    g = tenant.group_id
    tags = [
        tenant.api.post(
            f"/v2/groups/{g}/metatags", json={"metatag": {"category": "season", "value": v}}
        ).json()["metatag"]["id"]
        for v in ("spring", "summer", "autumn")
    ]
    publication = tenant.create_publication(metatag_ids=[tags[0]])
    path = f"/v2/groups/{g}/publications/{publication['id']}"
    replaced = tenant.api.put(
        path, json={"publication": {"metatag_ids": [tags[1], tags[2]]}}
    ).json()
    assert replaced["publication"]["metatag_ids"] == sorted([tags[1], tags[2]])
    cleared = tenant.api.put(path, json={"publication": {"metatag_ids": []}}).json()
    assert cleared["publication"]["metatag_ids"] == []
    by_category = tenant.api.put(path, json={"publication": {"metatags_category": "season"}}).json()
    assert by_category["publication"]["metatag_ids"] == sorted(tags)


def test_form_encoded_empty_list_clears_metatags(tenant: Tenant) -> None:
    g = tenant.group_id
    tag = tenant.api.post(
        f"/v2/groups/{g}/metatags", data={"metatag[category]": "c", "metatag[value]": "v"}
    ).json()
    publication = tenant.create_publication(metatag_ids=[tag["metatag"]["id"]])
    response = tenant.api.put(
        f"/v2/groups/{g}/publications/{publication['id']}", data={"publication[metatag_ids][]": ""}
    )
    assert response.status_code == 200, response.text
    assert response.json()["publication"]["metatag_ids"] == []


def test_update_leaves_unsent_fields_alone(tenant: Tenant) -> None:
    publication = tenant.create_publication(description="Keep me", language="nl")
    updated = tenant.api.put(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}",
        json={"publication": {"browser_title": "New SEO title"}},
    ).json()["publication"]
    assert updated["browser_title"] == "New SEO title"
    assert updated["description"] == "Keep me"
    assert updated["language"] == "nl"


def test_slug_update_rules(tenant: Tenant) -> None:
    first = tenant.create_publication("First")
    second = tenant.create_publication("Second")
    path = f"/v2/groups/{tenant.group_id}/publications/{second['id']}"
    assert tenant.api.put(path, json={"publication": {"slug": "Bad Slug"}}).status_code == 422
    taken = tenant.api.put(path, json={"publication": {"slug": first["slug"]}})
    assert taken.status_code == 422
    assert "slug" in taken.json()["errors"]
    assert (
        tenant.api.put(path, json={"publication": {"slug": "second_new-1"}}).json()["publication"][
            "slug"
        ]
        == "second_new-1"
    )


def test_online_requires_converted_pages(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}/online"
    )
    assert response.status_code == 422
    assert "state" in response.json()["errors"]


def test_online_offline_unlisted_bookkeeping(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    mark_converted(tenant.server, publication["id"])
    base = f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    online = tenant.api.post(f"{base}/online").json()["publication"][0]
    assert online["state"] == "online" and online["online_at"] and online["disable_seo"] is False
    assert online["public_url"].endswith(f"/view/{online['public_url'].split('/view/')[1]}")
    unlisted = tenant.api.post(f"{base}/unlisted").json()["publication"][0]
    assert unlisted["state"] == "online" and unlisted["disable_seo"] is True
    assert unlisted["online_at"] == online["online_at"]
    offline = tenant.api.post(f"{base}/offline").json()["publication"][0]
    assert offline["state"] == "offline" and offline["offline_at"] is not None


def test_state_filters(tenant: Tenant) -> None:
    g = tenant.group_id
    listed, unlisted, offline = (
        tenant.create_publication(t) for t in ("Listed", "Unlisted", "Offline")
    )
    for p in (listed, unlisted):
        mark_converted(tenant.server, p["id"])
    tenant.api.post(f"/v2/groups/{g}/publications/{listed['id']}/online")
    tenant.api.post(f"/v2/groups/{g}/publications/{unlisted['id']}/unlisted")

    def ids(state: str) -> set[int]:
        response = tenant.api.get(f"/v2/groups/{g}/publications", params={"state": state})
        assert response.status_code == 200
        return {p["id"] for p in response.json()["publications"]}

    assert ids("public") == {listed["id"]}
    assert ids("unlisted") == {unlisted["id"]}
    assert ids("online") == {listed["id"], unlisted["id"]}
    assert ids("offline") == {offline["id"]}
    bad = tenant.api.get(f"/v2/groups/{g}/publications", params={"state": "sideways"})
    assert bad.status_code == 422 and "state" in bad.json()["errors"]


def test_collection_filter(tenant: Tenant) -> None:
    g = tenant.group_id
    collection = tenant.api.post(
        f"/v2/groups/{g}/collections", json={"collection": {"title": "Shoes"}}
    ).json()
    inside = tenant.create_publication("In", collection_id=collection["collection"]["id"])
    tenant.create_publication("Out")
    listed = tenant.api.get(
        f"/v2/groups/{g}/publications", params={"collection_id": collection["collection"]["id"]}
    ).json()["publications"]
    assert [p["id"] for p in listed] == [inside["id"]]


def test_online_limit_gives_402(tenant: Tenant) -> None:
    from app.server.models import Account

    with tenant.server.db.write() as session:
        account = session.get(Account, tenant.account_id)
        assert account is not None
        account.online_limit = 1
    first, second = tenant.create_publication("One"), tenant.create_publication("Two")
    for p in (first, second):
        mark_converted(tenant.server, p["id"])
    base = f"/v2/groups/{tenant.group_id}/publications"
    assert tenant.api.post(f"{base}/{first['id']}/online").status_code == 200
    refused = tenant.api.post(f"{base}/{second['id']}/online")
    assert refused.status_code == 402
    assert refused.json()["errors"]["state"] == ["You have reached your publication limit"]
    after = tenant.api.get(f"{base}/{second['id']}").json()["publication"][0]
    assert after["state"] == "offline"


def test_archive_hides_publication(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    path = f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    response = tenant.api.delete(path)
    assert response.status_code == 204 and response.content == b""
    assert tenant.api.get(path).status_code == 404
    listed = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications").json()["publications"]
    assert publication["id"] not in [p["id"] for p in listed]


def test_group_publication_count_follows(tenant: Tenant) -> None:
    tenant.create_publication()
    archived = tenant.create_publication()
    tenant.api.delete(f"/v2/groups/{tenant.group_id}/publications/{archived['id']}")
    groups = tenant.api.get("/v2/groups").json()["groups"]
    assert [g["publication_count"] for g in groups if g["id"] == tenant.group_id] == [1]
