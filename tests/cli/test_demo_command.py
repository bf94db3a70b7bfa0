"""``folio demo`` run as a user runs it, then the workspace it made as a real ``folio serve``
on the same data dir shows it over HTTP: groups, converted publications with covers and
spreads, product hotspots resolved against the imported catalogue, states, metatags,
collections, and the change feed that desktop mirrors sync from."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.core.enums import KeyScope
from app.core.timestamps import parse_datetime
from app.server.accounts import create_key, ensure_account
from app.server.embedded import LOCAL_ACCOUNT
from tests.cli.run_folio import folio
from tests.conftest import REPO, Api, LiveServer, start_server

CATALOGUES = "Demo: Seasonal catalogues"
MAGAZINES = "Demo: Brand magazines"
SUMMARY_COUNTS = "2 groups, 8 publications"


@dataclass
class DemoRuns:
    data_dir: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> DemoRuns:
    data_dir = tmp_path_factory.mktemp("demo-cli")
    first = folio("demo", data_dir=data_dir)
    second = folio("demo", data_dir=data_dir)
    return DemoRuns(data_dir, first, second)


@pytest.fixture(scope="module")
def served(runs: DemoRuns) -> Iterator[tuple[LiveServer, Api]]:
    """``folio serve`` on the demo's data dir, and a read key of the local account."""
    live = start_server(runs.data_dir, "--conversion-processes", "0", "--rate-limit", "0")
    with live.db.write() as session:
        account = ensure_account(session, LOCAL_ACCOUNT)
        _, secret = create_key(session, account.id, "demo test", KeyScope.READ)
    yield live, Api(live.url, secret)
    live.stop()


def _groups(api: Api) -> dict[str, dict[str, Any]]:
    response = api.get("/v2/groups")
    assert response.status_code == 200, response.text
    return {group["title"]: group for group in response.json()["groups"]}


def _publications(api: Api, group_id: int, **query: Any) -> dict[str, dict[str, Any]]:
    response = api.get(f"/v2/groups/{group_id}/publications", params=query)
    assert response.status_code == 200, response.text
    return {p["title"]: p for p in response.json()["publications"]}


def _all_publications(api: Api) -> list[dict[str, Any]]:
    groups = _groups(api)
    return [
        p
        for title in (CATALOGUES, MAGAZINES)
        for p in _publications(api, groups[title]["id"]).values()
    ]


def _spreads(api: Api, publication: dict[str, Any]) -> list[dict[str, Any]]:
    path = f"/v2/groups/{publication['group_id']}/publications/{publication['id']}/spreads"
    response = api.get(path)
    assert response.status_code == 200, response.text
    return response.json()["spreads"]  # type: ignore[no-any-return]


def _hotspots(api: Api, publication: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for spread in _spreads(api, publication):
        response = api.get(f"/v2/spreads/{spread['id']}/hotspots")
        assert response.status_code == 200, response.text
        found += response.json()["hotspots"]
    return found


# --- the command ------------------------------------------------------------------------------


def test_demo_prints_a_summary_and_exits_0(runs: DemoRuns) -> None:
    assert runs.first.returncode == 0, runs.first.stderr
    assert runs.first.stderr == ""
    summary, files = runs.first.stdout.strip().splitlines()
    assert summary.startswith("Demo workspace created in ")
    assert SUMMARY_COUNTS in summary and "pages" in summary and "hotspots" in summary
    assert "20 products" in summary
    assert files == f"Sample PDFs and product feed: {runs.data_dir / 'demo'}"


def test_running_demo_again_says_it_is_there_and_changes_nothing(runs: DemoRuns) -> None:
    assert runs.second.returncode == 0, runs.second.stderr
    assert runs.second.stderr == ""
    [line] = runs.second.stdout.strip().splitlines()
    assert line.startswith("The demo workspace is already there: ")
    # The same counts as the first run: nothing was added.
    counts = runs.first.stdout.splitlines()[0].split(": ", 1)[1]
    assert line.endswith(counts)


def test_demo_leaves_its_pdfs_and_feed_for_the_hotspot_commands(runs: DemoRuns) -> None:
    demo_dir = runs.data_dir / "demo"
    assert len(list(demo_dir.glob("*.pdf"))) == 8
    lint = folio(
        "hotspots",
        "lint",
        demo_dir / "spring-summer-2026-catalogue.pdf",
        "--catalogue",
        demo_dir / "fjord-and-field-products.xml",
        data_dir=runs.data_dir,
    )
    # The catalogue prints two products its feed doesn't have (yet).
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert "DEMO-1099" in lint.stdout and "DEMO-2001" in lint.stdout
    assert "2 problems" in lint.stdout


# --- what the server shows --------------------------------------------------------------------


def test_server_lists_the_demo_groups_beside_the_first_group(
    served: tuple[LiveServer, Api],
) -> None:
    _, api = served
    groups = _groups(api)
    assert set(groups) == {"My catalogues", CATALOGUES, MAGAZINES}
    assert groups[CATALOGUES]["publication_count"] == 5
    assert groups[MAGAZINES]["publication_count"] == 3


def test_every_publication_is_converted_with_a_cover_and_spreads(
    served: tuple[LiveServer, Api],
) -> None:
    _, api = served
    publications = _all_publications(api)
    titles = [p["title"] for p in publications]
    assert len(titles) == len(set(titles)) == 8
    for publication in publications:
        assert 4 <= publication["page_count"] <= 12, publication
        cover = api.http.get(publication["cover_url"], timeout=30)
        assert cover.status_code == 200 and cover.headers["content-type"] == "image/jpeg"
        spreads = _spreads(api, publication)
        numbers = [n for spread in spreads for n in spread["page_numbers"]]
        assert numbers == list(range(1, publication["page_count"] + 1))
        if publication["layout_type"] == "booklet":
            assert spreads[1]["page_numbers"] == [2, 3]


def test_states_schedules_and_languages_vary(served: tuple[LiveServer, Api]) -> None:
    _, api = served
    by_title = {p["title"]: p for p in _all_publications(api)}
    spring = by_title["Spring/Summer 2026 Catalogue"]
    assert (spring["state"], spring["disable_seo"], spring["language"]) == ("online", False, "en")
    assert by_title["Frühjahr/Sommer 2026 Katalog"]["language"] == "de"
    price_list = by_title["Garden Price List 2026"]
    assert (price_list["state"], price_list["disable_seo"]) == ("online", True)  # unlisted
    autumn = by_title["Catalogue Automne/Hiver 2026"]
    assert (autumn["state"], autumn["language"]) == ("offline", "fr")
    assert parse_datetime(autumn["schedule_online_at"]) > datetime.now(UTC)
    assert by_title["Winter Sale 2025"]["state"] == "offline"
    assert {p["state"] for p in by_title.values()} == {"online", "offline"}
    assert all(p["description"] and p["browser_title"] for p in by_title.values())


def test_metatags_and_collections_are_assigned(served: tuple[LiveServer, Api]) -> None:
    _, api = served
    group = _groups(api)[CATALOGUES]
    tags = api.get(f"/v2/groups/{group['id']}/metatags").json()["metatags"]
    values = {tag["id"]: (tag["category"], tag["value"]) for tag in tags}
    assert {("Season", "Spring"), ("Season", "Autumn"), ("Region", "EU"), ("Region", "US")} <= set(
        values.values()
    )
    spring = _publications(api, group["id"])["Spring/Summer 2026 Catalogue"]
    assert {values[i] for i in spring["metatag_ids"]} == {
        ("Season", "Spring"),
        ("Season", "Summer"),
        ("Region", "EU"),
    }
    [collection] = api.get(f"/v2/groups/{group['id']}/collections").json()["collections"]
    assert collection["title"] == "2026 catalogues"
    members = _publications(api, group["id"], collection_id=collection["id"])
    assert len(members) == 4 and "Winter Sale 2025" not in members


def test_product_hotspots_resolve_against_the_imported_catalogue(
    served: tuple[LiveServer, Api],
) -> None:
    _, api = served
    group = _groups(api)[CATALOGUES]
    products = api.get(f"/v2/groups/{group['id']}/products").json()["products"]
    assert len(products) == 20
    assert all(p["price"].endswith("EUR") for p in products)
    spring = _publications(api, group["id"])["Spring/Summer 2026 Catalogue"]
    hotspots = _hotspots(api, spring)
    assert {h["type"] for h in hotspots} == {"product", "external_link", "page_reference"}
    by_sku = {tuple(h["skus"]): h for h in hotspots if h["type"] == "product"}
    assert by_sku[("DEMO-1001",)]["products"][0]["title"] == "Hagen lounge chair"
    vase_set = by_sku[("DEMO-1003", "DEMO-1004")]
    assert [p["sku"] for p in vase_set["products"]] == ["DEMO-1003", "DEMO-1004"]
    assert by_sku[("DEMO-1099",)]["products"] == []
    assert by_sku[("DEMO-1099",)]["unknown_skus"] == ["DEMO-1099"]
    # The price list has no product annotations: its SKUs were found in the page text.
    price_list = _publications(api, group["id"])["Garden Price List 2026"]
    found = [h for h in _hotspots(api, price_list) if h["type"] == "product"]
    assert found and all(h["origin"] == "text" and h["products"] for h in found)


def test_change_feed_holds_every_publication_spread_and_hotspot(
    served: tuple[LiveServer, Api],
) -> None:
    _, api = served
    latest: dict[tuple[str, int], str] = {}
    since = 0
    while True:
        page = api.get("/v2/changes", params={"since": since, "limit": 500}).json()
        for change in page["changes"]:
            latest[(change["type"], change["id"])] = change["op"]
        since = page["next_since"]
        if not page["has_more"]:
            break
    for publication in _all_publications(api):
        assert latest[("publication", publication["id"])] == "upsert"
        for spread in _spreads(api, publication):
            assert latest[("spread", spread["id"])] == "upsert"
        for hotspot in _hotspots(api, publication):
            assert latest[("hotspot", hotspot["id"])] == "upsert"
    group_ids = {group["id"] for group in _groups(api).values()}
    assert {("group", group_id) for group_id in group_ids} <= set(latest)
    assert any(kind == "product_feed" for kind, _ in latest)


# --- failing ----------------------------------------------------------------------------------


def _as_nobody(data_dir: Path) -> list[str]:
    """The prefix that runs a process as an unprivileged user (we are root), checked to be
    able to import Folio and read ``data_dir``."""
    for prefix in (
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
        ["runuser", "-u", "nobody", "--"],
    ):
        if shutil.which(prefix[0]) is None:
            continue
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", f"import os, app.cli; os.listdir({str(data_dir)!r})"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if probe.returncode == 0:
            return prefix
    pytest.skip("cannot run folio as an unprivileged user here (no setpriv/runuser)")


def test_a_data_dir_it_cannot_write_fails_with_one_line() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run folio as another user (chmod does not stop root)")
    root = Path(tempfile.mkdtemp(prefix="folio-demo-readonly-"))
    try:
        # The logs and cache stay writable (not the point here); the data dir itself isn't.
        for directory in (root / "logs", root / "cache"):
            directory.mkdir()
            directory.chmod(0o777)
        root.chmod(0o755)
        prefix = _as_nobody(root)
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "app", "demo", "--data-dir", str(root)],
            cwd=REPO,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1, result.stdout + result.stderr
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("folio: Could not write the database ")
        assert "unable to open database file" in line
    finally:
        shutil.rmtree(root, ignore_errors=True)
