"""Key management over HTTP: created once with the secret, listed without it, revoked."""

from __future__ import annotations

from tests.conftest import Api, Tenant


def test_created_key_works_and_is_listed_without_its_secret(tenant: Tenant) -> None:
    created = tenant.api.post("/v2/api_keys", json={"api_key": {"name": "robot", "scope": "read"}})
    assert created.status_code == 201
    key = created.json()["api_key"]
    assert key["key"].startswith(key["prefix"]) and key["scope"] == "read"
    robot = Api(tenant.server.url, key["key"])
    assert robot.get("/v2/groups").status_code == 200
    listing = tenant.api.get("/v2/api_keys")
    assert key["key"] not in listing.text
    names = {k["name"]: k for k in listing.json()["api_keys"]}
    assert set(names["robot"]) >= {"id", "name", "scope", "prefix", "created_at", "last_used_at"}
    assert names["robot"]["last_used_at"] is not None


def test_bad_scope_is_422(tenant: Tenant) -> None:
    response = tenant.api.post("/v2/api_keys", json={"api_key": {"name": "x", "scope": "root"}})
    assert response.status_code == 422 and "scope" in response.json()["errors"]


def test_keys_of_another_account_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = other_tenant.api.get("/v2/api_keys").json()["api_keys"][0]["id"]
    assert tenant.api.delete(f"/v2/api_keys/{theirs}").status_code == 404
    assert other_tenant.api.get("/v2/groups").status_code == 200


def test_keys_are_stored_hashed(tenant: Tenant) -> None:
    from sqlalchemy import select

    from app.server.models import ApiKey

    with tenant.server.db.read() as session:
        stored = session.scalars(select(ApiKey.key_hash)).all()
    assert tenant.key not in stored
    assert all(len(digest) == 64 for digest in stored)


def test_admin_creates_groups_over_http(tenant: Tenant) -> None:
    response = tenant.api.post("/v2/groups", json={"group": {"title": "Autumn Catalogues"}})
    assert response.status_code == 201
    group = response.json()["group"]
    assert group["slug"].startswith("autumn-catalogues") and group["publication_count"] == 0
    assert (
        tenant.api.get(group["publications_url"].removeprefix(tenant.server.url)).status_code == 200
    )
