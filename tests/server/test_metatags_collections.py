"""Metatags and collections of a group."""

from __future__ import annotations

from tests.conftest import Tenant


def test_metatag_crud(tenant: Tenant) -> None:
    g = tenant.group_id
    created = tenant.api.post(
        f"/v2/groups/{g}/metatags",
        data={"metatag[category]": "category_3", "metatag[value]": "value_3"},
    )
    assert created.status_code == 201
    tag = created.json()["metatag"]
    assert tag == {"id": tag["id"], "group_id": g, "category": "category_3", "value": "value_3"}
    got = tenant.api.get(f"/v2/groups/{g}/metatags/{tag['id']}").json()
    assert got == {"metatag": [tag]}
    updated = tenant.api.put(
        f"/v2/groups/{g}/metatags/{tag['id']}",
        data={"metatag[category]": "new_category", "metatag[value]": "value_4"},
    )
    assert updated.json()["metatag"]["category"] == "new_category"
    assert tenant.api.delete(f"/v2/groups/{g}/metatags/{tag['id']}").status_code == 204
    assert tenant.api.get(f"/v2/groups/{g}/metatags/{tag['id']}").status_code == 404


def test_duplicate_metatag_is_422(tenant: Tenant) -> None:
    g = tenant.group_id
    body = {"metatag": {"category": "c", "value": "v"}}
    assert tenant.api.post(f"/v2/groups/{g}/metatags", json=body).status_code == 201
    duplicate = tenant.api.post(f"/v2/groups/{g}/metatags", json=body)
    assert duplicate.status_code == 422 and "value" in duplicate.json()["errors"]


def test_metatag_in_use_needs_force_delete(tenant: Tenant) -> None:
    g = tenant.group_id
    tag = tenant.api.post(
        f"/v2/groups/{g}/metatags", json={"metatag": {"category": "c", "value": "v"}}
    ).json()["metatag"]
    publication = tenant.create_publication(metatag_ids=[tag["id"]])
    refused = tenant.api.delete(f"/v2/groups/{g}/metatags/{tag['id']}")
    assert refused.status_code == 409
    assert (
        refused.json()["error"]
        == 'Metatag is currently in use, send "force_delete=true" to delete anyway'
    )
    forced = tenant.api.delete(f"/v2/groups/{g}/metatags/{tag['id']}?force_delete=true")
    assert forced.status_code == 204
    after = tenant.api.get(f"/v2/groups/{g}/publications/{publication['id']}").json()[
        "publication"
    ][0]
    assert after["metatag_ids"] == []


def test_metatags_of_another_group_cannot_be_assigned(tenant: Tenant) -> None:
    other_group = tenant.api.post("/v2/groups", json={"group": {"title": "Other"}}).json()["group"][
        "id"
    ]
    tag = tenant.api.post(
        f"/v2/groups/{other_group}/metatags", json={"metatag": {"category": "c", "value": "v"}}
    ).json()
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/publications",
        json={
            "publication": {
                "title": "x",
                "source_url": "http://x/y.pdf",
                "metatag_ids": [tag["metatag"]["id"]],
            }
        },
    )
    assert response.status_code == 422 and "metatag_ids" in response.json()["errors"]


def test_metatag_list_paginates(tenant: Tenant) -> None:
    g = tenant.group_id
    for n in range(3):
        tenant.api.post(
            f"/v2/groups/{g}/metatags", json={"metatag": {"category": "c", "value": f"v{n}"}}
        )
    page = tenant.api.get(f"/v2/groups/{g}/metatags", params={"page": 2, "per_page": 2})
    assert len(page.json()["metatags"]) == 1 and page.headers["X-Prev-Page"] == "1"


def test_collection_crud(tenant: Tenant) -> None:
    g = tenant.group_id
    created = tenant.api.post(
        f"/v2/groups/{g}/collections", json={"collection": {"title": "New Collection"}}
    )
    assert created.status_code == 201
    collection = created.json()["collection"]
    assert collection["title"] == "New Collection" and isinstance(collection["id"], int)
    listed = tenant.api.get(f"/v2/groups/{g}/collections").json()["collections"]
    assert [c["id"] for c in listed] == [collection["id"]]
    path = f"/v2/groups/{g}/collections/{collection['id']}"
    assert tenant.api.get(path).json()["collection"][0]["title"] == "New Collection"
    assert (
        tenant.api.put(path, json={"collection": {"title": "Renamed"}}).json()["collection"][
            "title"
        ]
        == "Renamed"
    )
    assert tenant.api.delete(path).status_code == 204
    assert tenant.api.get(path).status_code == 404


def test_non_empty_collection_cannot_be_deleted(tenant: Tenant) -> None:
    g = tenant.group_id
    collection = tenant.api.post(
        f"/v2/groups/{g}/collections", json={"collection": {"title": "Busy"}}
    ).json()["collection"]
    publication = tenant.create_publication(collection_id=collection["id"])
    path = f"/v2/groups/{g}/collections/{collection['id']}"
    refused = tenant.api.delete(path)
    assert refused.status_code == 409 and refused.json()["code"] == "collection_not_empty"
    tenant.api.put(
        f"/v2/groups/{g}/publications/{publication['id']}",
        json={"publication": {"collection_id": None}},
    )
    assert tenant.api.delete(path).status_code == 204


def test_collection_title_is_required(tenant: Tenant) -> None:
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/collections", json={"collection": {"title": "  "}}
    )
    assert response.status_code == 422 and response.json()["errors"]["title"] == ["can't be blank"]
