"""Every curl example of seed 003 for groups, publications, metatags, collections and
conversions, replayed over real HTTP against a tenant of our own.

The seed's ids (group 1, publication 222, metatags 1-4, conversion 1404, ...) are translated to
ids that exist in the test's tenant. Each example checks the documented status code and that the
body carries every documented key with the documented JSON type (extra keys are allowed: the
server adds upstream and ext fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
import requests

from tests.conftest import Tenant, mark_converted

NONE = type(None)
Spec = dict[str, type | tuple[type, ...]]

# The documented fields and JSON types (seed 003, the "attributes are as follows" tables).
GROUP: Spec = {
    "id": int,
    "title": str,
    "slug": str,
    "url": str,
    "publications_url": str,
    "publication_count": int,
    "public_url": str,
}
PUBLICATION: Spec = {
    "id": int,
    "title": str,
    "browser_title": (str, NONE),
    "description": (str, NONE),
    "slug": str,
    "url": str,
    "cover_url": (str, NONE),
    "page_count": int,
    "pdf_download_url": (str, NONE),
    "state": str,
    "online_at": (str, NONE),
    "offline_at": (str, NONE),
    "schedule_online_at": (str, NONE),
    "schedule_offline_at": (str, NONE),
    "public_url": (str, NONE),
    "metatag_ids": list,
    "valid_from": (str, NONE),
    "collection_id": (int, NONE),
}
METATAG: Spec = {"id": int, "group_id": int, "category": str, "value": str}
COLLECTION: Spec = {"id": int, "title": str}
CONVERSION: Spec = {
    "id": int,
    "group_id": int,
    "publication_id": int,
    "state": str,
    "state_details": (dict, NONE),
    "source_type": str,
    "total_pages": (int, NONE),
    "converted_pages": int,
    "extraction_options": (dict, NONE),
}
DATETIME_FIELDS = ("online_at", "offline_at", "schedule_online_at", "schedule_offline_at")
CONVERSION_STATES = {"new", "preparing", "converting", "finished", "canceled", "failed"}
SEED_LANGUAGES = [
    "eu",
    "bg",
    "zh",
    "hr",
    "cs",
    "da",
    "nl",
    "en",
    "fr",
    "fi",
    "de",
    "hu",
    "it",
    "lt",
    "no",
    "pl",
    "pt",
    "ro",
    "ru",
    "sr",
    "sk",
    "es",
    "sv",
    "tr",
    "uk",
]
SEED_SCHEDULE = "2014-09-25T15:17:20.000+02:00"


def assert_shape(item: Any, spec: Spec) -> None:
    """``item`` is a JSON object with every key of ``spec``, each of the given JSON type(s)."""
    assert isinstance(item, dict), f"expected an object, got {item!r}"
    missing = set(spec) - set(item)
    assert not missing, f"missing keys {sorted(missing)} in {item}"
    for key, expected in spec.items():
        allowed = expected if isinstance(expected, tuple) else (expected,)
        value = item[key]
        # JSON true/false are not integers, whatever Python's bool subclassing says.
        is_bool_as_int = isinstance(value, bool) and bool not in allowed
        assert isinstance(value, allowed) and not is_bool_as_int, (
            f"{key}={value!r} is not {' or '.join(t.__name__ for t in allowed)}"
        )


def assert_publication(item: Any) -> None:
    assert_shape(item, PUBLICATION)
    assert item["state"] in ("online", "offline")
    assert all(isinstance(i, int) and not isinstance(i, bool) for i in item["metatag_ids"])
    for field in DATETIME_FIELDS:
        if item[field] is not None:
            assert datetime.fromisoformat(item[field]).utcoffset() is not None, (field, item)
    if item["valid_from"] is not None:
        date.fromisoformat(item["valid_from"])


def assert_conversion(item: Any) -> None:
    assert_shape(item, CONVERSION)
    assert item["state"] in CONVERSION_STATES


def same_instant(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


@dataclass
class Seeded:
    """The seed's example data, re-created in a tenant; attributes map seed ids to ours."""

    tenant: Tenant
    metatags: list[int]  # seed metatags 1, 2, 3
    spring: dict[str, Any]  # seed publication 1 / 222, "Spring 2014", metatags [1, 2]
    autumn: dict[str, Any]  # seed publication 2, "Autumn 2014", metatags [2, 3], scheduled

    @property
    def g(self) -> str:
        return f"/v2/groups/{self.tenant.group_id}"

    def metatag(self, category: str, value: str) -> int:
        response = self.tenant.api.post(
            f"{self.g}/metatags", json={"metatag": {"category": category, "value": value}}
        )
        assert response.status_code == 201, response.text
        return response.json()["metatag"]["id"]  # type: ignore[no-any-return]


@pytest.fixture
def seeded(tenant: Tenant) -> Seeded:
    g = f"/v2/groups/{tenant.group_id}"
    tags = []
    for category, value in [
        ("category_1", "value_1"),
        ("category_1", "value_2"),
        ("category_2", "value_3"),
    ]:
        response = tenant.api.post(
            f"{g}/metatags", json={"metatag": {"category": category, "value": value}}
        )
        assert response.status_code == 201, response.text
        tags.append(response.json()["metatag"]["id"])
    spring = tenant.create_publication(
        "Spring 2014",
        browser_title="Browser Spring 2014",
        description="Spring 2014 description",
        metatag_ids=tags[:2],
    )
    autumn = tenant.create_publication(
        "Autumn 2014",
        browser_title="Browser Autumn 2014",
        description="Autumn 2014 description",
        metatag_ids=tags[1:],
        schedule_online_at=SEED_SCHEDULE,
        valid_from="2014-09-26",
    )
    return Seeded(tenant, tags, spring, autumn)


# --- Getting started / Groups ---------------------------------------------------------------


def test_groups_list_example(seeded: Seeded) -> None:
    # curl https://api.publitas.com/v2/groups -H "Authorization: ApiKey <api_key>"
    response = seeded.tenant.api.get("/v2/groups")
    assert response.status_code == 200
    groups = response.json()["groups"]
    assert isinstance(groups, list) and len(groups) == 1
    group = groups[0]
    assert_shape(group, GROUP)
    base = seeded.tenant.server.url
    assert group["id"] == seeded.tenant.group_id
    assert group["url"] == f"{base}/v2/groups/{group['id']}"
    assert group["publications_url"] == f"{base}/v2/groups/{group['id']}/publications"
    assert group["publication_count"] == 2
    assert group["public_url"].startswith(base)


def test_groups_list_example_with_trailing_slash(seeded: Seeded) -> None:
    # "A example of a complete path is: https://api.publitas.com/v2/groups/"
    response = seeded.tenant.api.get("/v2/groups/")
    assert response.status_code == 200
    assert_shape(response.json()["groups"][0], GROUP)


# --- Publications ---------------------------------------------------------------------------


def test_publications_list_example(seeded: Seeded) -> None:
    # curl https://api.publitas.com/v2/groups/1/publications
    response = seeded.tenant.api.get(f"{seeded.g}/publications")
    assert response.status_code == 200
    publications = response.json()["publications"]
    assert [p["id"] for p in publications] == [seeded.spring["id"], seeded.autumn["id"]]
    for item in publications:
        assert_publication(item)
    spring, autumn = publications
    assert spring["title"] == "Spring 2014" and spring["slug"] == "spring-2014"
    assert spring["browser_title"] == "Browser Spring 2014"
    assert spring["description"] == "Spring 2014 description"
    assert spring["metatag_ids"] == seeded.metatags[:2]
    assert spring["state"] == "offline" and spring["collection_id"] is None
    assert autumn["slug"] == "autumn-2014"
    assert autumn["metatag_ids"] == seeded.metatags[1:]
    assert same_instant(autumn["schedule_online_at"], SEED_SCHEDULE)
    assert autumn["valid_from"] == "2014-09-26"


def test_publications_filter_example(seeded: Seeded) -> None:
    # curl "https://api.publitas.com/v2/groups/1/publications?state=public&collection_id=1"
    api, g = seeded.tenant.api, seeded.g
    collection = api.post(f"{g}/collections", json={"collection": {"title": "Collection 1"}})
    collection_id = collection.json()["collection"]["id"]
    public_in = seeded.tenant.create_publication("Public in", collection_id=collection_id)
    public_out = seeded.tenant.create_publication("Public out")
    unlisted_in = seeded.tenant.create_publication("Unlisted in", collection_id=collection_id)
    seeded.tenant.create_publication("Offline in", collection_id=collection_id)
    for publication, action in [
        (public_in, "online"),
        (public_out, "online"),
        (unlisted_in, "unlisted"),
    ]:
        mark_converted(seeded.tenant.server, publication["id"])
        assert api.post(f"{g}/publications/{publication['id']}/{action}").status_code == 200

    response = api.get(f"{g}/publications?state=public&collection_id={collection_id}")
    assert response.status_code == 200
    publications = response.json()["publications"]
    assert [p["id"] for p in publications] == [public_in["id"]]
    assert_publication(publications[0])
    assert publications[0]["state"] == "online"
    assert publications[0]["collection_id"] == collection_id


def test_publication_get_example_is_array_wrapped(seeded: Seeded) -> None:
    # curl "https://api.publitas.com/v2/groups/1/publications/222"
    publication_id = seeded.spring["id"]
    response = seeded.tenant.api.get(f"{seeded.g}/publications/{publication_id}")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["publication"]
    assert isinstance(body["publication"], list) and len(body["publication"]) == 1
    publication = body["publication"][0]
    assert_publication(publication)
    assert publication["id"] == publication_id
    assert publication["url"] == (
        f"{seeded.tenant.server.url}{seeded.g}/publications/{publication_id}"
    )
    assert publication["metatag_ids"] == seeded.metatags[:2]


def test_publication_create_example_with_form_fields(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/publications" --data "publication[title]=Winter2014&..."
    response = seeded.tenant.api.post(
        f"{seeded.g}/publications",
        data=(
            "publication[title]=Winter2014"
            "&publication[source_url]=http://example.com/winter2014.pdf"
            "&publication[browser_title]=BrowserWinter2014"
            "&publication[description]=Winter2014Description"
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert list(body) == ["publication"]
    publication = body["publication"]
    assert isinstance(publication, dict), "create answers the publication unwrapped"
    assert_publication(publication)
    assert publication["title"] == "Winter2014"
    assert publication["browser_title"] == "BrowserWinter2014"
    assert publication["description"] == "Winter2014Description"
    assert publication["slug"] == "winter2014"
    assert publication["url"] == (
        f"{seeded.tenant.server.url}{seeded.g}/publications/{publication['id']}"
    )
    assert publication["cover_url"] is None and publication["public_url"] is None
    assert publication["page_count"] == 0
    assert publication["state"] == "offline"
    assert publication["online_at"] is None and publication["offline_at"] is None
    assert publication["schedule_online_at"] is None
    assert publication["schedule_offline_at"] is None
    assert publication["metatag_ids"] == [] and publication["valid_from"] is None
    fetched = seeded.tenant.api.get(f"{seeded.g}/publications/{publication['id']}")
    assert fetched.json()["publication"][0]["title"] == "Winter2014"


def test_publication_create_with_every_documented_optional_field(seeded: Seeded) -> None:
    api, g = seeded.tenant.api, seeded.g
    collection = api.post(f"{g}/collections", json={"collection": {"title": "Winter"}})
    collection_id = collection.json()["collection"]["id"]
    response = api.post(
        f"{g}/publications",
        data={
            "publication[title]": "Winter2014",
            "publication[source_url]": "https://example.com/winter2014.pdf",
            "publication[browser_title]": "BrowserWinter2014",
            "publication[description]": "Winter2014Description",
            "publication[language]": "nl",
            "publication[schedule_online_at]": SEED_SCHEDULE,
            "publication[schedule_offline_at]": "2014-12-25T15:17:20.000+01:00",
            "publication[metatag_ids][]": [str(seeded.metatags[0])],
            "publication[metatags_category]": "category_2",
            "publication[valid_from]": "2014-09-26",
            "publication[collection_id]": str(collection_id),
            "publication[extraction_options][links][icons]": "true",
            "publication[extraction_options][products][icons]": "false",
        },
    )
    assert response.status_code == 201, response.text
    publication = response.json()["publication"]
    assert_publication(publication)
    assert publication["language"] == "nl"
    assert same_instant(publication["schedule_online_at"], SEED_SCHEDULE)
    assert same_instant(publication["schedule_offline_at"], "2014-12-25T14:17:20+00:00")
    assert publication["metatag_ids"] == [seeded.metatags[0], seeded.metatags[2]]
    assert publication["valid_from"] == "2014-09-26"
    assert publication["collection_id"] == collection_id
    conversions = api.get(f"{g}/publications/{publication['id']}/conversions").json()
    assert conversions["conversions"][0]["extraction_options"] == {
        "links": {"icons": True},
        "products": {"icons": False},
    }


@pytest.mark.parametrize("language", SEED_LANGUAGES)
def test_every_seed_language_code_is_accepted(tenant: Tenant, language: str) -> None:
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/publications",
        data={
            "publication[title]": f"Winter2014 {language}",
            "publication[source_url]": "http://example.com/winter2014.pdf",
            "publication[language]": language,
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["publication"]["language"] == language


def test_publication_update_example_with_json_put(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/publications/3" -H "Content-Type: application/json" -X PUT
    #   --data '{"publication": {"browser_title": ..., "metatag_ids": [1,2]}}'
    created = seeded.tenant.create_publication(
        "Winter2014", browser_title="BrowserWinter2014", description="Winter2014Description"
    )
    first, second = seeded.metatags[:2]
    response = seeded.tenant.api.put(
        f"{seeded.g}/publications/{created['id']}",
        data=(
            '{"publication": {"browser_title": "UpdatedBrowserTitle", '
            f'"description": "UpdatedDescription", "metatag_ids": [{first},{second}]}}}}'
        ),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["publication"]
    publication = body["publication"]
    assert isinstance(publication, dict), "update answers the publication unwrapped"
    assert_publication(publication)
    assert publication["id"] == created["id"]
    assert publication["title"] == "Winter2014" and publication["slug"] == "winter2014"
    assert publication["browser_title"] == "UpdatedBrowserTitle"
    assert publication["description"] == "UpdatedDescription"
    assert publication["metatag_ids"] == [first, second]
    assert publication["state"] == "offline" and publication["page_count"] == 0


def test_publication_update_of_valid_from_and_schedule(seeded: Seeded) -> None:
    path = f"{seeded.g}/publications/{seeded.spring['id']}"
    response = seeded.tenant.api.put(
        path,
        json={"publication": {"valid_from": "2014-09-26", "schedule_online_at": SEED_SCHEDULE}},
    )
    assert response.status_code == 200, response.text
    publication = response.json()["publication"]
    assert_publication(publication)
    assert publication["valid_from"] == "2014-09-26"
    assert same_instant(publication["schedule_online_at"], SEED_SCHEDULE)


def test_publication_online_example(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/publications/222/online" -X POST
    publication_id = seeded.spring["id"]
    mark_converted(seeded.tenant.server, publication_id, pages=52)
    response = seeded.tenant.api.post(f"{seeded.g}/publications/{publication_id}/online")
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["publication"], list) and len(body["publication"]) == 1
    publication = body["publication"][0]
    assert_publication(publication)
    assert publication["id"] == publication_id
    assert publication["state"] == "online"
    assert publication["online_at"] is not None and publication["offline_at"] is None
    assert publication["page_count"] == 52
    # cover_url stays null here: mark_converted records pages without rendering a cover.
    assert isinstance(publication["public_url"], str)
    assert publication["public_url"].startswith(seeded.tenant.server.url)


def test_publication_offline_example(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/publications/222/offline" -X POST
    publication_id = seeded.spring["id"]
    path = f"{seeded.g}/publications/{publication_id}"
    mark_converted(seeded.tenant.server, publication_id)
    online_at = seeded.tenant.api.post(f"{path}/online").json()["publication"][0]["online_at"]
    response = seeded.tenant.api.post(f"{path}/offline")
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["publication"], list) and len(body["publication"]) == 1
    publication = body["publication"][0]
    assert_publication(publication)
    assert publication["state"] == "offline"
    assert publication["online_at"] == online_at
    assert publication["offline_at"] is not None
    assert datetime.fromisoformat(publication["offline_at"]) >= datetime.fromisoformat(online_at)


def test_publication_archive_example(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/publications/222" -X DELETE  -> 204 with no content
    api, publication_id = seeded.tenant.api, seeded.spring["id"]
    response = api.delete(f"{seeded.g}/publications/{publication_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"{seeded.g}/publications/{publication_id}").status_code == 404
    listed = api.get(f"{seeded.g}/publications").json()["publications"]
    assert [p["id"] for p in listed] == [seeded.autumn["id"]]
    assert api.get("/v2/groups").json()["groups"][0]["publication_count"] == 1


# --- Metatags -------------------------------------------------------------------------------


def test_metatags_list_example(seeded: Seeded) -> None:
    # curl "https://api.publitas.com/v2/groups/1/metatags"
    response = seeded.tenant.api.get(f"{seeded.g}/metatags")
    assert response.status_code == 200
    metatags = response.json()["metatags"]
    assert [m["id"] for m in metatags] == seeded.metatags
    for item in metatags:
        assert_shape(item, METATAG)
        assert item["group_id"] == seeded.tenant.group_id
    assert (metatags[0]["category"], metatags[0]["value"]) == ("category_1", "value_1")
    assert (metatags[1]["category"], metatags[1]["value"]) == ("category_1", "value_2")


def test_metatag_get_example_is_array_wrapped(seeded: Seeded) -> None:
    # curl "https://api.publitas.com/v2/groups/1/metatags/222"
    metatag_id = seeded.metatags[0]
    response = seeded.tenant.api.get(f"{seeded.g}/metatags/{metatag_id}")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["metatag"]
    assert isinstance(body["metatag"], list) and len(body["metatag"]) == 1
    metatag = body["metatag"][0]
    assert_shape(metatag, METATAG)
    assert metatag == {
        **metatag,
        "id": metatag_id,
        "group_id": seeded.tenant.group_id,
        "category": "category_1",
        "value": "value_1",
    }


def test_metatag_create_example_with_form_fields(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/metatags" --data "metatag[category]=category_3&metatag[value]=value_3"
    response = seeded.tenant.api.post(
        f"{seeded.g}/metatags",
        data="metatag[category]=category_3&metatag[value]=value_3",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 201, response.text
    metatag = response.json()["metatag"]
    assert isinstance(metatag, dict), "create answers the metatag unwrapped"
    assert_shape(metatag, METATAG)
    assert metatag["group_id"] == seeded.tenant.group_id
    assert (metatag["category"], metatag["value"]) == ("category_3", "value_3")
    listed = seeded.tenant.api.get(f"{seeded.g}/metatags").json()["metatags"]
    assert listed[-1]["id"] == metatag["id"]


def test_metatag_update_example_with_form_put(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/metatags/3" -X PUT
    #   --data "metatag[category]=new_category&metatag[value]=value_4"
    metatag_id = seeded.metatag("category_3", "value_3")
    response = seeded.tenant.api.put(
        f"{seeded.g}/metatags/{metatag_id}",
        data="metatag[category]=new_category&metatag[value]=value_4",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    metatag = response.json()["metatag"]
    assert isinstance(metatag, dict), "update answers the metatag unwrapped"
    assert_shape(metatag, METATAG)
    assert metatag["id"] == metatag_id and metatag["group_id"] == seeded.tenant.group_id
    assert (metatag["category"], metatag["value"]) == ("new_category", "value_4")
    fetched = seeded.tenant.api.get(f"{seeded.g}/metatags/{metatag_id}").json()["metatag"][0]
    assert (fetched["category"], fetched["value"]) == ("new_category", "value_4")


def test_metatag_delete_examples_409_then_force_delete_204(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/metatags/4" -X DELETE                     -> 409 while in use
    # curl ".../v2/groups/1/metatags/4?force_delete=true" -X DELETE   -> 204 with no content
    api, g = seeded.tenant.api, seeded.g
    metatag_id = seeded.metatag("category_4", "value_4")
    publication_path = f"{g}/publications/{seeded.spring['id']}"
    assigned = api.put(
        publication_path, json={"publication": {"metatag_ids": [*seeded.metatags[:2], metatag_id]}}
    )
    assert metatag_id in assigned.json()["publication"]["metatag_ids"]

    refused = api.delete(f"{g}/metatags/{metatag_id}")
    assert refused.status_code == 409
    assert refused.json()["error"] == (
        'Metatag is currently in use, send "force_delete=true" to delete anyway'
    )
    assert api.get(f"{g}/metatags/{metatag_id}").status_code == 200

    forced = api.delete(f"{g}/metatags/{metatag_id}?force_delete=true")
    assert forced.status_code == 204
    assert forced.content == b""
    assert api.get(f"{g}/metatags/{metatag_id}").status_code == 404
    remaining = api.get(publication_path).json()["publication"][0]["metatag_ids"]
    assert remaining == seeded.metatags[:2]


def test_metatag_delete_of_an_unused_metatag_needs_no_force(seeded: Seeded) -> None:
    metatag_id = seeded.metatag("category_4", "value_4")
    response = seeded.tenant.api.delete(f"{seeded.g}/metatags/{metatag_id}")
    assert response.status_code == 204 and response.content == b""


# --- Collections ----------------------------------------------------------------------------


def test_collections_list_example(seeded: Seeded) -> None:
    # curl "https://api.publitas.com/v2/groups/1/collections"
    api, g = seeded.tenant.api, seeded.g
    ids = [
        api.post(f"{g}/collections", json={"collection": {"title": title}}).json()["collection"][
            "id"
        ]
        for title in ("Collection 1", "Collection 2")
    ]
    response = api.get(f"{g}/collections")
    assert response.status_code == 200
    collections = response.json()["collections"]
    for item in collections:
        assert_shape(item, COLLECTION)
    assert [(c["id"], c["title"]) for c in collections] == [
        (ids[0], "Collection 1"),
        (ids[1], "Collection 2"),
    ]


@pytest.mark.parametrize(
    "content_type",
    [None, "application/x-www-form-urlencoded", "application/json"],
    ids=["no content type", "curl's default form type", "json"],
)
def test_collection_create_example_json_body(seeded: Seeded, content_type: str | None) -> None:
    # curl -H "Authorization: ApiKey <api_key>" --data "{ "collection": { "title": ... } }"
    # curl --data sends application/x-www-form-urlencoded; the body is a JSON object anyway.
    body = '{\n  "collection": {\n    "title": "New Collection"\n  }\n}'
    url = f"{seeded.tenant.server.url}{seeded.g}/collections"
    headers = {"Authorization": f"ApiKey {seeded.tenant.key}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = requests.post(url, data=body.encode(), headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    collection = response.json()["collection"]
    assert isinstance(collection, dict)
    assert_shape(collection, COLLECTION)
    assert collection["title"] == "New Collection"
    listed = seeded.tenant.api.get(f"{seeded.g}/collections").json()["collections"]
    assert [c["id"] for c in listed] == [collection["id"]]


# --- Conversions ----------------------------------------------------------------------------


def test_conversions_list_example_with_trailing_slash(seeded: Seeded) -> None:
    # curl "https://api.publitas.com/v2/groups/1/publications/222/conversions/"
    publication_id = seeded.spring["id"]
    response = seeded.tenant.api.get(f"{seeded.g}/publications/{publication_id}/conversions/")
    assert response.status_code == 200
    conversions = response.json()["conversions"]
    assert len(conversions) == 1
    for item in conversions:
        assert_conversion(item)
    conversion = conversions[0]
    assert conversion["group_id"] == seeded.tenant.group_id
    assert conversion["publication_id"] == publication_id
    assert conversion["source_type"] == "new_publication"
    assert conversion["state_details"] is None


def test_conversions_list_keeps_the_last_five_newest_first(seeded: Seeded) -> None:
    """ "List last 5 conversions of a publication". Until the pages endpoints exist, the
    extra conversions are recorded through the server's storage (as mark_converted does)."""
    from app.core.enums import ConversionSource, ConversionState
    from app.core.timestamps import utc_now
    from app.server.models import Conversion

    publication_id = seeded.spring["id"]
    with seeded.tenant.server.db.write() as session:
        for _ in range(5):
            session.add(
                Conversion(
                    publication_id=publication_id,
                    group_id=seeded.tenant.group_id,
                    state=ConversionState.FINISHED.value,
                    source_type=ConversionSource.API_ADD_PAGES.value,
                    source_url="http://example.com/more.pdf",
                    created_at=utc_now(),
                    updated_at=utc_now(),
                )
            )
    response = seeded.tenant.api.get(f"{seeded.g}/publications/{publication_id}/conversions/")
    conversions = response.json()["conversions"]
    assert len(conversions) == 5
    ids = [c["id"] for c in conversions]
    assert ids == sorted(ids, reverse=True)
    for item in conversions:
        assert_conversion(item)


def test_conversion_get_example_singular_path(seeded: Seeded) -> None:
    # curl ".../v2/groups/1/publications/222/conversion/1404"
    api, publication_id = seeded.tenant.api, seeded.spring["id"]
    base = f"{seeded.g}/publications/{publication_id}"
    listed = api.get(f"{base}/conversions").json()["conversions"][0]
    response = api.get(f"{base}/conversion/{listed['id']}")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["conversion"]
    assert isinstance(body["conversion"], dict)
    assert_conversion(body["conversion"])
    assert body["conversion"] == listed
    plural = api.get(f"{base}/conversions/{listed['id']}")
    assert plural.status_code == 200 and plural.json() == body
