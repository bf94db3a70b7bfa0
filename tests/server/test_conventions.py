"""Cross-cutting conventions of API.md, over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import func, select

from app.core.enums import KeyScope
from app.server.models import Publication
from tests.conftest import LiveServer, Tenant, make_tenant


def _publication_rows(tenant: Tenant) -> int:
    with tenant.server.db.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Publication)
                .where(Publication.group_id == tenant.group_id)
            )
            or 0
        )


def test_pagination_headers(tenant: Tenant) -> None:
    for n in range(7):
        tenant.create_publication(f"P{n}")
    path = f"/v2/groups/{tenant.group_id}/publications"
    first = tenant.api.get(path, params={"page": 1, "per_page": 3})
    assert len(first.json()["publications"]) == 3
    assert first.headers["X-Page"] == "1" and first.headers["X-Per-Page"] == "3"
    assert first.headers["X-Next-Page"] == "2" and "X-Prev-Page" not in first.headers
    assert first.headers["X-Total-Count"] == "7"
    last = tenant.api.get(path, params={"page": 3, "per_page": 3})
    assert len(last.json()["publications"]) == 1
    assert last.headers["X-Prev-Page"] == "2" and "X-Next-Page" not in last.headers
    everything = tenant.api.get(path)
    assert len(everything.json()["publications"]) == 7 and "X-Page" not in everything.headers


def test_per_page_is_clamped_to_100(tenant: Tenant) -> None:
    response = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications", params={"page": 1, "per_page": 500}
    )
    assert response.headers["X-Per-Page"] == "100"


def test_idempotent_replay_does_not_repeat_the_work(tenant: Tenant) -> None:
    key = str(uuid.uuid4())
    body = {"publication": {"title": "Once", "source_url": "http://example.com/once.pdf"}}
    path = f"/v2/groups/{tenant.group_id}/publications"
    first = tenant.api.post(path, json=body, headers={"Idempotency-Key": key})
    second = tenant.api.post(path, json=body, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.json() == first.json()
    assert _publication_rows(tenant) == 1


def test_idempotency_key_reused_with_another_body_is_409(tenant: Tenant) -> None:
    key = str(uuid.uuid4())
    path = f"/v2/groups/{tenant.group_id}/publications"
    tenant.api.post(
        path,
        json={"publication": {"title": "A", "source_url": "http://x/a.pdf"}},
        headers={"Idempotency-Key": key},
    )
    clash = tenant.api.post(
        path,
        json={"publication": {"title": "B", "source_url": "http://x/b.pdf"}},
        headers={"Idempotency-Key": key},
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "idempotency_key_reused"
    assert _publication_rows(tenant) == 1


def test_idempotency_keys_are_per_account(tenant: Tenant, other_tenant: Tenant) -> None:
    key = str(uuid.uuid4())
    body = {"publication": {"title": "Mine", "source_url": "http://x/a.pdf"}}
    mine = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/publications", json=body, headers={"Idempotency-Key": key}
    )
    theirs = other_tenant.api.post(
        f"/v2/groups/{other_tenant.group_id}/publications",
        json=body,
        headers={"Idempotency-Key": key},
    )
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers


def test_etag_and_if_none_match_give_304(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    path = f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    first = tenant.api.get(path)
    assert first.headers["Cache-Control"] == "private, max-age=1"
    assert first.headers["Last-Modified"]
    etag = first.headers["ETag"]
    again = tenant.api.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    tenant.api.put(path, json={"publication": {"title": "Changed"}})
    changed = tenant.api.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_if_modified_since_gives_304(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    path = f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    last_modified = tenant.api.get(path).headers["Last-Modified"]
    assert tenant.api.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304


def test_list_etag_changes_when_the_list_changes(tenant: Tenant) -> None:
    path = f"/v2/groups/{tenant.group_id}/publications"
    etag = tenant.api.get(path).headers["ETag"]
    assert tenant.api.get(path, headers={"If-None-Match": etag}).status_code == 304
    tenant.create_publication()
    assert tenant.api.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_stale_if_match_gives_412_and_changes_nothing(tenant: Tenant) -> None:
    publication = tenant.create_publication("Original")
    path = f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    etag = tenant.api.get(path).headers["ETag"]
    fresh = tenant.api.put(
        path, json={"publication": {"title": "First edit"}}, headers={"If-Match": etag}
    )
    assert fresh.status_code == 200
    stale = tenant.api.put(
        path, json={"publication": {"title": "Lost edit"}}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert tenant.api.get(path).json()["publication"][0]["title"] == "First edit"
    assert tenant.api.delete(path, headers={"If-Match": etag}).status_code == 412
    current = fresh.headers["ETag"]
    assert current == tenant.api.get(path).headers["ETag"]
    assert tenant.api.delete(path, headers={"If-Match": current}).status_code == 204


def test_rate_limit_headers_and_429(server_factory: Callable[..., LiveServer]) -> None:
    live = server_factory("--rate-limit", "5", "--scheduler-interval", "0")
    tenant = make_tenant(live)
    responses = [tenant.api.get("/v2/groups") for _ in range(6)]
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    assert responses[0].headers["X-RateLimit-Limit"] == "5"
    assert responses[0].headers["X-RateLimit-Remaining"] == "4"
    assert int(responses[0].headers["X-RateLimit-Reset"]) > 0
    limited = responses[-1]
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json()["code"] == "rate_limited"
    other = make_tenant(live)
    assert other.api.get("/v2/groups").status_code == 200, "limits are per key"


def test_tenant_isolation_hides_other_accounts_ids(tenant: Tenant, other_tenant: Tenant) -> None:
    publication = other_tenant.create_publication()
    g, p = other_tenant.group_id, publication["id"]
    for method, path in [
        ("GET", f"/v2/groups/{g}/publications"),
        ("GET", f"/v2/groups/{g}/publications/{p}"),
        ("PUT", f"/v2/groups/{g}/publications/{p}"),
        ("POST", f"/v2/groups/{g}/publications/{p}/online"),
        ("DELETE", f"/v2/groups/{g}/publications/{p}"),
        ("GET", f"/v2/groups/{g}/metatags"),
        ("GET", f"/v2/groups/{g}/collections"),
        ("GET", f"/v2/groups/{g}/publications/{p}/conversions"),
        ("GET", f"/v2/groups/{tenant.group_id}/publications/{p}"),
    ]:
        response = tenant.api.request(method, path, json={"publication": {"title": "x"}})
        assert response.status_code == 404, (method, path, response.status_code)
    assert [grp["id"] for grp in tenant.api.get("/v2/groups").json()["groups"]] == [tenant.group_id]
    assert other_tenant.api.get(f"/v2/groups/{g}/publications/{p}").status_code == 200


def test_missing_and_unknown_keys_get_401(server: LiveServer) -> None:
    import requests

    assert requests.get(f"{server.url}/v2/groups", timeout=10).status_code == 401
    wrong = requests.get(
        f"{server.url}/v2/groups", headers={"Authorization": "ApiKey folio_nope"}, timeout=10
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"


def test_revoked_key_is_refused_on_the_next_request(tenant: Tenant) -> None:
    extra = tenant.key_with_scope(KeyScope.WRITE)
    assert extra.get("/v2/groups").status_code == 200
    keys = tenant.api.get("/v2/api_keys").json()["api_keys"]
    extra_id = next(
        k["id"] for k in keys if extra.key.startswith(k["prefix"]) and k["scope"] == "write"
    )
    assert tenant.api.delete(f"/v2/api_keys/{extra_id}").status_code == 204
    refused = extra.get("/v2/groups")
    assert refused.status_code == 401 and refused.json()["code"] == "key_revoked"


def test_read_only_key_gets_403_on_writes(tenant: Tenant) -> None:
    reader = tenant.key_with_scope(KeyScope.READ)
    assert reader.get(f"/v2/groups/{tenant.group_id}/publications").status_code == 200
    response = reader.post(
        f"/v2/groups/{tenant.group_id}/publications",
        json={"publication": {"title": "x", "source_url": "http://x/y.pdf"}},
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert _publication_rows(tenant) == 0


def test_write_key_cannot_manage_groups_or_keys(tenant: Tenant) -> None:
    writer = tenant.key_with_scope(KeyScope.WRITE)
    assert writer.post("/v2/groups", json={"group": {"title": "Nope"}}).status_code == 403
    assert writer.get("/v2/api_keys").status_code == 403
    assert (
        writer.post(
            f"/v2/groups/{tenant.group_id}/collections", json={"collection": {"title": "ok"}}
        ).status_code
        == 201
    )


def test_not_acceptable_and_method_not_allowed(tenant: Tenant) -> None:
    path = f"/v2/groups/{tenant.group_id}/publications"
    assert tenant.api.get(path, headers={"Accept": "text/html"}).status_code == 406
    assert (
        tenant.api.get(path, headers={"Accept": "text/html, application/json;q=0.5"}).status_code
        == 200
    )
    response = tenant.api.patch(path, json={})
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_body_over_the_limit_is_413(server_factory: Callable[..., LiveServer]) -> None:
    live = server_factory("--max-body-bytes", "1000", "--scheduler-interval", "0")
    tenant = make_tenant(live)
    big = {"publication": {"title": "x" * 2000, "source_url": "http://x/y.pdf"}}
    response = tenant.api.post(f"/v2/groups/{tenant.group_id}/publications", json=big)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert _publication_rows(tenant) == 0


def test_health_and_openapi_need_no_key(server: LiveServer) -> None:
    import requests

    health = requests.get(f"{server.url}/health", timeout=10).json()
    assert health["status"] == "ok" and health["version"]
    spec = requests.get(f"{server.url}/openapi.json", timeout=10).json()
    assert "/v2/groups/{group_id}/publications" in spec["paths"]


def test_head_is_get_without_a_body(tenant: Tenant) -> None:
    path = f"/v2/groups/{tenant.group_id}/publications"
    got = tenant.api.get(path)
    head = tenant.api.request("HEAD", path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert tenant.key_with_scope(KeyScope.READ).request("HEAD", path).status_code == 200


def test_expired_idempotency_records_are_purged(tenant: Tenant) -> None:
    from datetime import timedelta

    from app.server.models import IdempotencyRecord
    from app.server.scheduler import purge_idempotency_records

    path = f"/v2/groups/{tenant.group_id}/publications"
    body = {"publication": {"title": "Once", "source_url": "http://x/y.pdf"}}
    tenant.api.post(path, json=body, headers={"Idempotency-Key": "purge-me"})
    assert purge_idempotency_records(tenant.server.db, timedelta(hours=24)) == 0
    removed = purge_idempotency_records(tenant.server.db, timedelta(seconds=-1))
    assert removed >= 1
    with tenant.server.db.read() as session:
        assert session.query(IdempotencyRecord).filter_by(key="purge-me").count() == 0
