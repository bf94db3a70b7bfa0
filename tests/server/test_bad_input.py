"""Bad input on every endpoint: the documented 4xx with the documented error shape, never a
500, and no partial writes (after a rejected write the account looks exactly as before:
same lists, same change-feed position).

Error shapes (API.md, "Errors"): validation is 422 ``{"errors": {field: [message]}}``, anything
else ``{"error": message, "code": machine_code}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from tests.conftest import Tenant

G = "/v2/groups/{g}"
PUBS = f"{G}/publications"
PUB = f"{PUBS}/{{p}}"
METATAGS = f"{G}/metatags"
METATAG = f"{METATAGS}/{{m}}"
COLLECTIONS = f"{G}/collections"
COLLECTION = f"{COLLECTIONS}/{{c}}"
CONVERSIONS = f"{PUB}/conversions"
CONVERSION = f"{CONVERSIONS}/{{cv}}"
CONVERSION_SINGULAR = f"{PUB}/conversion/{{cv}}"
CANCEL = f"{CONVERSION}/cancel"
KEYS = "/v2/api_keys"
KEY = f"{KEYS}/{{k}}"

ENDPOINTS: list[tuple[str, str]] = [
    ("GET", "/v2/groups"),
    ("POST", "/v2/groups"),
    ("GET", G),
    ("GET", PUBS),
    ("POST", PUBS),
    ("GET", PUB),
    ("PUT", PUB),
    ("DELETE", PUB),
    ("POST", f"{PUB}/online"),
    ("POST", f"{PUB}/offline"),
    ("POST", f"{PUB}/unlisted"),
    ("GET", METATAGS),
    ("POST", METATAGS),
    ("GET", METATAG),
    ("PUT", METATAG),
    ("DELETE", METATAG),
    ("GET", COLLECTIONS),
    ("POST", COLLECTIONS),
    ("GET", COLLECTION),
    ("PUT", COLLECTION),
    ("DELETE", COLLECTION),
    ("GET", CONVERSIONS),
    ("GET", CONVERSION),
    ("GET", CONVERSION_SINGULAR),
    ("POST", CANCEL),
    ("GET", "/v2/changes"),
    ("GET", KEYS),
    ("POST", KEYS),
    ("DELETE", KEY),
]
WRITES = [(method, path) for method, path in ENDPOINTS if method != "GET"]

NEW_PUBLICATION = {"title": "Winter2014", "source_url": "http://example.com/winter2014.pdf"}
# A body each write accepts, so that a rejection is down to the one thing a test breaks.
VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/v2/groups"): {"group": {"title": "Winter group"}},
    ("POST", PUBS): {"publication": NEW_PUBLICATION},
    ("PUT", PUB): {"publication": {"browser_title": "UpdatedBrowserTitle"}},
    ("POST", METATAGS): {"metatag": {"category": "category_3", "value": "value_3"}},
    ("PUT", METATAG): {"metatag": {"category": "new_category", "value": "value_4"}},
    ("POST", COLLECTIONS): {"collection": {"title": "New Collection"}},
    ("PUT", COLLECTION): {"collection": {"title": "Renamed Collection"}},
    ("POST", KEYS): {"api_key": {"name": "ci", "scope": "read"}},
}

HUGE_ID = "99999999999999999999999"
LONG_NUMBER = "1" * 5000  # beyond Python's default int conversion limit (4300 digits)
BAD_PATH_IDS = [
    "abc",
    HUGE_ID,
    str(2**63),
    LONG_NUMBER,
    "0",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    "%C2%B2",  # "²": str.isdigit() says yes, int() says no
    "%E2%91%A0",  # "①"
]
UNKNOWN_ID = 987654321


def placeholders(template: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", template)


def case_id(method: str, template: str, *extra: object) -> str:
    return " ".join([method, template, *(str(e) for e in extra)])


def no_server_errors(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
    """A requests hook: whatever the input, the server never answers 5xx."""
    assert response.status_code < 500, (
        f"{response.request.method} {response.request.url} -> {response.status_code}: "
        f"{response.text[:500]}"
    )


def assert_error(response: requests.Response, status: int, code: str | None = None) -> None:
    """``status`` with ``{"error": str, "code": str}``."""
    assert response.status_code == status, (status, response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), str) and body["error"], body
    assert isinstance(body.get("code"), str) and body["code"], body
    if code is not None:
        assert body["code"] == code, body


def assert_field_errors(response: requests.Response, *fields: str) -> None:
    """422 with ``{"errors": {field: [message, ...]}}`` naming at least ``fields``."""
    assert response.status_code == 422, (response.status_code, response.text[:500])
    body = response.json()
    assert list(body) == ["errors"], body
    errors = body["errors"]
    assert isinstance(errors, dict) and errors, body
    for name, messages in errors.items():
        assert isinstance(name, str)
        assert isinstance(messages, list) and messages, body
        assert all(isinstance(m, str) and m for m in messages), body
    assert set(fields) <= set(errors), (fields, errors)


@dataclass
class World:
    """A tenant with one of everything: a metatag and a collection used by a publication,
    the publication's conversion, and an extra API key."""

    tenant: Tenant
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def api(self) -> Any:
        return self.tenant.api

    def path(self, template: str, **overrides: object) -> str:
        values = {**self.ids, **overrides}
        return template.format(**{name: values[name] for name in placeholders(template)})

    def snapshot(self) -> dict[str, Any]:
        """Everything a write could touch, as the API shows it."""

        def get(template: str) -> Any:
            response = self.api.get(self.path(template))
            assert response.status_code == 200, response.text
            return response.json()

        keys = get(KEYS)["api_keys"]
        return {
            "next_since": get("/v2/changes?since=0&limit=1000")["next_since"],
            "groups": get("/v2/groups"),
            "publications": get(PUBS),
            "publication": get(PUB),
            "metatags": get(METATAGS),
            "collections": get(COLLECTIONS),
            "conversions": get(CONVERSIONS),
            "api_keys": [(k["id"], k["scope"], k["revoked_at"]) for k in keys],
        }


def build_world(tenant: Tenant) -> World:
    tenant.api.http.hooks["response"].append(no_server_errors)
    world = World(tenant, {"g": tenant.group_id})
    api, g = tenant.api, f"/v2/groups/{tenant.group_id}"
    metatag = api.post(f"{g}/metatags", json={"metatag": {"category": "season", "value": "winter"}})
    world.ids["m"] = metatag.json()["metatag"]["id"]
    collection = api.post(f"{g}/collections", json={"collection": {"title": "Winter"}})
    world.ids["c"] = collection.json()["collection"]["id"]
    publication = tenant.create_publication(
        "Winter2014",
        browser_title="BrowserWinter2014",
        metatag_ids=[world.ids["m"]],
        collection_id=world.ids["c"],
        language="en",
    )
    world.ids["p"] = publication["id"]
    conversions = api.get(f"{g}/publications/{publication['id']}/conversions")
    world.ids["cv"] = conversions.json()["conversions"][0]["id"]
    key = api.post(KEYS, json={"api_key": {"name": "spare", "scope": "write"}})
    world.ids["k"] = key.json()["api_key"]["id"]
    return world


@pytest.fixture
def world(tenant: Tenant) -> World:
    return build_world(tenant)


@pytest.fixture
def other_world(other_tenant: Tenant) -> World:
    return build_world(other_tenant)


def send(
    world: World,
    method: str,
    path: str,
    body: Any = None,
    *,
    raw: bytes | str | None = None,
    content_type: str | None = None,
    **kwargs: Any,
) -> requests.Response:
    """One request; ``body`` goes as JSON, ``raw`` as it is."""
    headers = dict(kwargs.pop("headers", {}))
    if raw is not None:
        kwargs["data"] = raw
        headers["Content-Type"] = content_type or "application/json"
    elif body is not None:
        kwargs["json"] = body
    return world.api.request(method, path, headers=headers, **kwargs)  # type: ignore[no-any-return]


# --- Bodies that are not a JSON object: 400, 413, 415 ---------------------------------------

MALFORMED_JSON = [
    b'{"publication": {"title": "Winter2014",',
    b"{'publication': {}}",
    b'{"publication": {"title": "Winter2014"}} trailing',
    b"\xff\xfe{}",
    b"[" * 100_000,
    b'{"publication": {"collection_id": ' + b"7" * 5000 + b"}}",
]
NON_OBJECT_JSON = [
    b"[]",
    b'[{"publication": {"title": "Winter2014"}}]',
    b'"Winter2014"',
    b"42",
    b"null",
    b"true",
]


@pytest.mark.parametrize(("method", "template"), WRITES, ids=[case_id(*w) for w in WRITES])
def test_malformed_json_body_is_400_and_writes_nothing(
    world: World, method: str, template: str
) -> None:
    before = world.snapshot()
    for raw in MALFORMED_JSON:
        response = send(world, method, world.path(template), raw=raw)
        assert_error(response, 400)
    assert world.snapshot() == before


@pytest.mark.parametrize(("method", "template"), WRITES, ids=[case_id(*w) for w in WRITES])
def test_json_body_that_is_not_an_object_is_400(world: World, method: str, template: str) -> None:
    before = world.snapshot()
    for raw in NON_OBJECT_JSON:
        response = send(world, method, world.path(template), raw=raw)
        assert_error(response, 400)
    assert world.snapshot() == before


@pytest.mark.parametrize(("method", "template"), WRITES, ids=[case_id(*w) for w in WRITES])
def test_form_body_with_conflicting_field_names_is_400(
    world: World, method: str, template: str
) -> None:
    before = world.snapshot()
    raw = "publication[title]=Winter2014&publication[title][en]=Winter2014"
    response = send(
        world,
        method,
        world.path(template),
        raw=raw,
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 400)
    assert world.snapshot() == before


@pytest.mark.parametrize(("method", "template"), WRITES, ids=[case_id(*w) for w in WRITES])
def test_unsupported_content_type_is_415(world: World, method: str, template: str) -> None:
    before = world.snapshot()
    for content_type, raw in [
        ("text/csv", "title,source_url\nWinter2014,http://example.com/winter2014.pdf\n"),
        ("application/xml", "<publication><title>Winter2014</title></publication>"),
    ]:
        response = send(world, method, world.path(template), raw=raw, content_type=content_type)
        assert_error(response, 415)
    assert world.snapshot() == before


OVERSIZED = 11 * 1024 * 1024  # the server's default limit is 10 MiB


@pytest.mark.parametrize(
    ("method", "template"),
    [*WRITES, ("GET", PUBS)],
    ids=[case_id(*w) for w in [*WRITES, ("GET", PUBS)]],
)
def test_oversized_body_is_413_and_writes_nothing(world: World, method: str, template: str) -> None:
    before = world.snapshot()
    big = json.dumps({"publication": {**NEW_PUBLICATION, "description": "x" * OVERSIZED}})
    response = send(world, method, world.path(template), raw=big.encode())
    assert_error(response, 413, "payload_too_large")
    assert world.snapshot() == before


def test_oversized_chunked_body_without_length_is_413(world: World) -> None:
    before = world.snapshot()
    chunk = b"x" * (1024 * 1024)

    def body() -> Any:
        yield b'{"publication": {"title": "Winter2014", "description": "'
        for _ in range(11):
            yield chunk
        yield b'"}}'

    response = world.api.post(
        world.path(PUBS), data=body(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "payload_too_large")
    assert world.snapshot() == before


# --- Accept and methods: 406, 405 -----------------------------------------------------------


@pytest.mark.parametrize(("method", "template"), ENDPOINTS, ids=[case_id(*e) for e in ENDPOINTS])
def test_accept_without_json_is_406(world: World, method: str, template: str) -> None:
    before = world.snapshot()
    for accept in ("text/html", "text/html, application/xhtml+xml", "application/json;q=0"):
        response = send(
            world,
            method,
            world.path(template),
            VALID_BODIES.get((method, template)),
            headers={"Accept": accept},
        )
        assert_error(response, 406, "not_acceptable")
    assert world.snapshot() == before


ALLOWED: list[tuple[str, set[str]]] = [
    ("/v2/groups", {"GET", "HEAD", "POST"}),
    (G, {"GET", "HEAD"}),
    (PUBS, {"GET", "HEAD", "POST"}),
    (PUB, {"GET", "HEAD", "PUT", "DELETE"}),
    (f"{PUB}/online", {"POST"}),
    (f"{PUB}/offline", {"POST"}),
    (f"{PUB}/unlisted", {"POST"}),
    (METATAGS, {"GET", "HEAD", "POST"}),
    (METATAG, {"GET", "HEAD", "PUT", "DELETE"}),
    (COLLECTIONS, {"GET", "HEAD", "POST"}),
    (COLLECTION, {"GET", "HEAD", "PUT", "DELETE"}),
    (CONVERSIONS, {"GET", "HEAD"}),
    (CONVERSION, {"GET", "HEAD"}),
    (CONVERSION_SINGULAR, {"GET", "HEAD"}),
    (CANCEL, {"POST"}),
    ("/v2/changes", {"GET", "HEAD"}),
    (KEYS, {"GET", "HEAD", "POST"}),
    (KEY, {"DELETE"}),
]


@pytest.mark.parametrize(("template", "allowed"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_wrong_method_is_405_with_allow_header(
    world: World, template: str, allowed: set[str]
) -> None:
    before = world.snapshot()
    wrong = [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m not in allowed]
    for method in wrong:
        response = send(world, method, world.path(template), {"publication": NEW_PUBLICATION})
        assert_error(response, 405, "method_not_allowed")
        listed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert allowed <= listed and method not in listed, (method, listed)
    assert world.snapshot() == before


def test_unknown_route_is_404(world: World) -> None:
    for path in ("/v2/nope", f"/v2/groups/{world.ids['g']}/nope", "/v2/groups/1/publications/1/x"):
        assert_error(world.api.get(path), 404, "not_found")


# --- Ids: unknown, another account's, malformed -> 404 --------------------------------------

ID_CASES = [(m, t, name) for m, t in ENDPOINTS for name in placeholders(t)]


@pytest.mark.parametrize(
    ("method", "template", "name"), ID_CASES, ids=[case_id(*c) for c in ID_CASES]
)
def test_unknown_id_is_404_and_writes_nothing(
    world: World, method: str, template: str, name: str
) -> None:
    before = world.snapshot()
    path = world.path(template, **{name: UNKNOWN_ID})
    response = send(world, method, path, VALID_BODIES.get((method, template)))
    assert_error(response, 404, "not_found")
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("method", "template", "name"), ID_CASES, ids=[case_id(*c) for c in ID_CASES]
)
def test_malformed_or_huge_id_is_404_never_500(
    world: World, method: str, template: str, name: str
) -> None:
    before = world.snapshot()
    for bad in BAD_PATH_IDS:
        path = world.path(template, **{name: bad})
        response = send(world, method, path, VALID_BODIES.get((method, template)))
        assert_error(response, 404, "not_found")
    assert world.snapshot() == before


OTHER_CASES = [(m, t, name) for m, t in ENDPOINTS if placeholders(t) for name in ["*"]] + [
    (m, t, name) for m, t, name in ID_CASES if len(placeholders(t)) > 1
]


@pytest.mark.parametrize(
    ("method", "template", "name"), OTHER_CASES, ids=[case_id(*c) for c in OTHER_CASES]
)
def test_another_accounts_ids_are_404_never_403(
    world: World, other_world: World, method: str, template: str, name: str
) -> None:
    """``*``: every id in the path is the other account's; else only that one is."""
    mine, theirs = world.snapshot(), other_world.snapshot()
    overrides = other_world.ids if name == "*" else {name: other_world.ids[name]}
    path = world.path(template, **overrides)
    response = send(world, method, path, VALID_BODIES.get((method, template)))
    assert_error(response, 404, "not_found")
    assert world.snapshot() == mine
    assert other_world.snapshot() == theirs


def test_another_accounts_key_stays_valid_after_a_refused_revoke(
    world: World, other_world: World
) -> None:
    spare = other_world.api.post(KEYS, json={"api_key": {"name": "theirs", "scope": "read"}})
    their_key = spare.json()["api_key"]
    assert_error(world.api.delete(KEY.format(k=their_key["id"])), 404, "not_found")
    still_valid = requests.get(
        f"{other_world.tenant.server.url}/v2/groups",
        headers={"Authorization": f"ApiKey {their_key['key']}"},
        timeout=30,
    )
    assert still_valid.status_code == 200


# --- Bodies of the wrong shape: 422 ---------------------------------------------------------


def _publication(**fields: Any) -> dict[str, Any]:
    return {"publication": {**NEW_PUBLICATION, **fields}}


WRONG_TYPES: list[tuple[str, str, Any, str]] = [
    ("POST", PUBS, _publication(title=123), "title"),
    ("POST", PUBS, _publication(title=["Winter2014"]), "title"),
    ("POST", PUBS, _publication(source_url=5), "source_url"),
    ("POST", PUBS, _publication(browser_title={"en": "x"}), "browser_title"),
    ("POST", PUBS, _publication(description=5), "description"),
    ("POST", PUBS, _publication(language=5), "language"),
    ("POST", PUBS, _publication(language=["nl"]), "language"),
    ("POST", PUBS, _publication(language={"code": "nl"}), "language"),
    ("POST", PUBS, _publication(metatag_ids="abc"), "metatag_ids"),
    ("POST", PUBS, _publication(metatag_ids=["abc"]), "metatag_ids"),
    ("POST", PUBS, _publication(metatag_ids=[True]), "metatag_ids"),
    ("POST", PUBS, _publication(metatag_ids=[1.5]), "metatag_ids"),
    ("POST", PUBS, _publication(metatags_category=5), "metatags_category"),
    ("POST", PUBS, _publication(collection_id="x"), "collection_id"),
    ("POST", PUBS, _publication(collection_id=True), "collection_id"),
    ("POST", PUBS, _publication(collection_id=[1]), "collection_id"),
    ("POST", PUBS, _publication(valid_from=5), "valid_from"),
    ("POST", PUBS, _publication(valid_from=0), "valid_from"),
    ("POST", PUBS, _publication(valid_from="26/09/2014"), "valid_from"),
    ("POST", PUBS, _publication(schedule_online_at=5), "schedule_online_at"),
    ("POST", PUBS, _publication(schedule_offline_at="tomorrow"), "schedule_offline_at"),
    ("POST", PUBS, _publication(layout_type="scroll"), "layout_type"),
    (
        "POST",
        PUBS,
        _publication(extraction_options={"links": {"icons": "maybe"}}),
        "extraction_options",
    ),
    ("POST", PUBS, _publication(extraction_options="links"), "extraction_options"),
    ("POST", PUBS, _publication(extraction_options={"hotspots": {}}), "extraction_options"),
    ("POST", PUBS, {"publication": "Winter2014"}, "publication"),
    ("POST", PUBS, {"publication": [NEW_PUBLICATION]}, "publication"),
    ("PUT", PUB, {"publication": {"title": 123}}, "title"),
    ("PUT", PUB, {"publication": {"slug": 5}}, "slug"),
    ("PUT", PUB, {"publication": {"slug": "Not A Slug"}}, "slug"),
    ("PUT", PUB, {"publication": {"metatag_ids": "abc"}}, "metatag_ids"),
    ("PUT", PUB, {"publication": {"collection_id": "x"}}, "collection_id"),
    ("PUT", PUB, {"publication": {"valid_from": 5}}, "valid_from"),
    ("PUT", PUB, {"publication": {"language": ["nl"]}}, "language"),
    (
        "PUT",
        PUB,
        {"publication": {"extraction_options": {"links": {"icons": "maybe"}}}},
        "extraction_options",
    ),
    ("PUT", PUB, {"publication": {"layout_type": 5}}, "layout_type"),
    ("PUT", PUB, {"publication": "Winter2014"}, "publication"),
    ("POST", METATAGS, {"metatag": {"category": 123, "value": "value_3"}}, "category"),
    ("POST", METATAGS, {"metatag": {"category": "category_3", "value": ["v"]}}, "value"),
    ("POST", METATAGS, {"metatag": "category_3"}, "metatag"),
    ("PUT", METATAG, {"metatag": {"value": 5}}, "value"),
    ("PUT", METATAG, {"metatag": {"category": {"a": 1}}}, "category"),
    ("POST", COLLECTIONS, {"collection": {"title": 123}}, "title"),
    ("POST", COLLECTIONS, {"collection": ["New Collection"]}, "collection"),
    ("PUT", COLLECTION, {"collection": {"title": {"en": "x"}}}, "title"),
    ("POST", "/v2/groups", {"group": {"title": 123}}, "title"),
    ("POST", KEYS, {"api_key": {"name": 123, "scope": "read"}}, "name"),
    ("POST", KEYS, {"api_key": {"name": "ci", "scope": "superuser"}}, "scope"),
    ("POST", KEYS, {"api_key": {"name": "ci", "scope": 1}}, "scope"),
]


@pytest.mark.parametrize(
    ("method", "template", "body", "field"),
    WRONG_TYPES,
    ids=[case_id(m, t, json.dumps(b)[:60]) for m, t, b, _ in WRONG_TYPES],
)
def test_wrong_types_are_422_naming_the_field(
    world: World, method: str, template: str, body: Any, field: str
) -> None:
    before = world.snapshot()
    response = send(world, method, world.path(template), body)
    assert_field_errors(response, field)
    assert world.snapshot() == before


MISSING: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("POST", PUBS, {}, ("publication",)),
    ("POST", PUBS, {"publication": None}, ("publication",)),
    ("POST", PUBS, {"publication": {}}, ("title", "source_url")),
    ("POST", PUBS, {"publication": {"title": "Winter2014"}}, ("source_url",)),
    ("POST", PUBS, {"publication": {"source_url": NEW_PUBLICATION["source_url"]}}, ("title",)),
    ("POST", PUBS, _publication(title=""), ("title",)),
    ("POST", PUBS, _publication(title="   "), ("title",)),
    ("POST", PUBS, _publication(title=None), ("title",)),
    ("POST", PUBS, _publication(source_url=""), ("source_url",)),
    ("POST", PUBS, {"title": "Winter2014", "source_url": "http://x/y.pdf"}, ("publication",)),
    ("PUT", PUB, {}, ("publication",)),
    ("PUT", PUB, {"publication": {"title": None}}, ("title",)),
    ("PUT", PUB, {"publication": {"title": ""}}, ("title",)),
    ("PUT", PUB, {"publication": {"slug": None}}, ("slug",)),
    ("POST", METATAGS, {}, ("metatag",)),
    ("POST", METATAGS, {"metatag": {}}, ("category", "value")),
    ("POST", METATAGS, {"metatag": {"category": "category_3"}}, ("value",)),
    ("POST", METATAGS, {"metatag": {"value": "value_3"}}, ("category",)),
    ("POST", METATAGS, {"metatag": {"category": "", "value": "value_3"}}, ("category",)),
    ("PUT", METATAG, {}, ("metatag",)),
    ("PUT", METATAG, {"metatag": {"value": None}}, ("value",)),
    ("PUT", METATAG, {"metatag": {"category": ""}}, ("category",)),
    ("POST", COLLECTIONS, {}, ("collection",)),
    ("POST", COLLECTIONS, {"collection": {}}, ("title",)),
    ("PUT", COLLECTION, {"collection": {}}, ("title",)),
    ("PUT", COLLECTION, {"collection": {"title": " "}}, ("title",)),
    ("POST", "/v2/groups", {}, ("group",)),
    ("POST", "/v2/groups", {"group": {}}, ("title",)),
]


@pytest.mark.parametrize(
    ("method", "template", "body", "fields"),
    MISSING,
    ids=[case_id(m, t, json.dumps(b)[:60]) for m, t, b, _ in MISSING],
)
def test_missing_required_fields_are_422(
    world: World, method: str, template: str, body: Any, fields: tuple[str, ...]
) -> None:
    before = world.snapshot()
    response = send(world, method, world.path(template), body)
    assert_field_errors(response, *fields)
    assert world.snapshot() == before


FORM_MISSING: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("POST", PUBS, "publication[browser_title]=BrowserWinter2014", ("title", "source_url")),
    ("POST", PUBS, "publication[title]=Winter2014&publication[source_url]=", ("source_url",)),
    ("POST", PUBS, "title=Winter2014&source_url=http://example.com/w.pdf", ("publication",)),
    ("POST", METATAGS, "metatag[value]=value_3", ("category",)),
    ("PUT", METATAG, "metatag[value]=", ("value",)),
    ("POST", COLLECTIONS, "collection[title]=", ("title",)),
    ("POST", "/v2/groups", "group[name]=Winter", ("title",)),
]


@pytest.mark.parametrize(
    ("method", "template", "raw", "fields"),
    FORM_MISSING,
    ids=[case_id(m, t, raw) for m, t, raw, _ in FORM_MISSING],
)
def test_form_body_missing_required_fields_is_422(
    world: World, method: str, template: str, raw: str, fields: tuple[str, ...]
) -> None:
    before = world.snapshot()
    response = send(
        world,
        method,
        world.path(template),
        raw=raw,
        content_type="application/x-www-form-urlencoded",
    )
    assert_field_errors(response, *fields)
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("method", "template", "field"),
    [
        ("POST", PUBS, "metatag_ids"),
        ("POST", PUBS, "collection_id"),
        ("PUT", PUB, "metatag_ids"),
        ("PUT", PUB, "collection_id"),
    ],
)
def test_body_ids_of_another_account_are_refused_like_unknown_ids(
    world: World, other_world: World, method: str, template: str, field: str
) -> None:
    mine, theirs = world.snapshot(), other_world.snapshot()
    other_id = other_world.ids["m" if field == "metatag_ids" else "c"]
    for value in (other_id, UNKNOWN_ID, int(HUGE_ID), 0, -1):
        body = {"publication": {field: [value] if field == "metatag_ids" else value}}
        if method == "POST":
            body["publication"].update(NEW_PUBLICATION)
        response = send(world, method, world.path(template), body)
        assert_field_errors(response, field)
    assert world.snapshot() == mine
    assert other_world.snapshot() == theirs


def test_a_rejected_field_rejects_the_whole_update(world: World) -> None:
    """One bad field among good ones: nothing of the update is applied."""
    before = world.snapshot()
    response = world.api.put(
        world.path(PUB),
        json={
            "publication": {
                "title": "Changed",
                "browser_title": "Changed",
                "metatag_ids": [],
                "collection_id": None,
                "valid_from": "not a date",
            }
        },
    )
    assert_field_errors(response, "valid_from")
    assert world.snapshot() == before
    late = world.api.put(
        world.path(PUB),
        json={"publication": {"title": "Changed", "metatag_ids": [], "collection_id": UNKNOWN_ID}},
    )
    assert_field_errors(late, "collection_id")
    assert world.snapshot() == before


# --- Query parameters: 422 ------------------------------------------------------------------

LIST_PATHS = ["/v2/groups", PUBS, METATAGS, COLLECTIONS]
BAD_QUERIES: list[tuple[str, dict[str, str], str]] = [
    *[
        (path, {name: value}, name)
        for path in LIST_PATHS
        for name, value in [
            ("page", "0"),
            ("page", "-1"),
            ("page", "abc"),
            ("page", "1.5"),
            ("page", HUGE_ID),
            ("page", LONG_NUMBER),
            ("per_page", "-1"),
            ("per_page", "0"),
            ("per_page", "many"),
        ]
    ],
    (PUBS, {"state": "sideways"}, "state"),
    (PUBS, {"state": ""}, "state"),
    (PUBS, {"state": "ONLINE"}, "state"),
    (PUBS, {"collection_id": "x"}, "collection_id"),
    (PUBS, {"collection_id": "-1"}, "collection_id"),
    (PUBS, {"collection_id": "\u00b2"}, "collection_id"),
    (PUBS, {"collection_id": HUGE_ID}, "collection_id"),
    (PUBS, {"collection_id": LONG_NUMBER}, "collection_id"),
    (PUBS, {"collection_id": "0"}, "collection_id"),
    ("/v2/changes", {"since": "-1"}, "since"),
    ("/v2/changes", {"since": "abc"}, "since"),
    ("/v2/changes", {"since": HUGE_ID}, "since"),
    ("/v2/changes", {"since": LONG_NUMBER}, "since"),
    ("/v2/changes", {"limit": "100000"}, "limit"),
    ("/v2/changes", {"limit": "0"}, "limit"),
    ("/v2/changes", {"limit": "ten"}, "limit"),
]


@pytest.mark.parametrize(
    ("template", "params", "field"),
    BAD_QUERIES,
    ids=[f"{t} {json.dumps(p, ensure_ascii=False)[:40]}" for t, p, _ in BAD_QUERIES],
)
def test_unknown_query_values_are_422(
    world: World, template: str, params: dict[str, str], field: str
) -> None:
    response = world.api.get(world.path(template), params=params)
    assert_field_errors(response, field)


@pytest.mark.parametrize("value", ["maybe", "yes please", "2", "TRUE!"])
def test_force_delete_must_be_true_or_false(world: World, value: str) -> None:
    before = world.snapshot()
    response = world.api.delete(world.path(METATAG), params={"force_delete": value})
    assert_field_errors(response, "force_delete")
    assert world.snapshot() == before
    assert world.api.get(world.path(METATAG)).status_code == 200


def test_force_delete_false_still_refuses_a_metatag_in_use(world: World) -> None:
    before = world.snapshot()
    response = world.api.delete(world.path(METATAG), params={"force_delete": "false"})
    assert_error(response, 409)
    assert world.snapshot() == before


# --- Other rejected writes change nothing either --------------------------------------------


def test_online_before_conversion_is_422_and_changes_nothing(world: World) -> None:
    before = world.snapshot()
    for action in ("online", "unlisted"):
        response = world.api.post(world.path(f"{PUB}/{action}"))
        assert_field_errors(response, "state")
    assert world.snapshot() == before


def test_deleting_a_collection_in_use_is_409_and_changes_nothing(world: World) -> None:
    before = world.snapshot()
    assert_error(world.api.delete(world.path(COLLECTION)), 409)
    assert world.snapshot() == before


def test_duplicate_metatag_is_422_and_changes_nothing(world: World) -> None:
    before = world.snapshot()
    response = world.api.post(
        world.path(METATAGS), json={"metatag": {"category": "season", "value": "winter"}}
    )
    assert_field_errors(response, "value")
    assert world.snapshot() == before


def test_schedule_offline_before_online_is_422_and_changes_nothing(world: World) -> None:
    before = world.snapshot()
    body = {
        "schedule_online_at": "2014-09-25T15:17:20.000+02:00",
        "schedule_offline_at": "2014-09-24T15:17:20.000+02:00",
    }
    assert_field_errors(
        world.api.post(world.path(PUBS), json=_publication(**body)), "schedule_offline_at"
    )
    assert_field_errors(
        world.api.put(world.path(PUB), json={"publication": body}), "schedule_offline_at"
    )
    assert world.snapshot() == before


def test_idempotency_key_too_long_is_400_and_changes_nothing(world: World) -> None:
    before = world.snapshot()
    response = world.api.post(
        world.path(PUBS), json=_publication(), headers={"Idempotency-Key": "k" * 256}
    )
    assert_error(response, 400)
    assert world.snapshot() == before
