"""The demo workspace through its function API (what the window calls): what it reports, that
a second run writes nothing, that a canceled run is completed by the next, that it works
while a server runs on the same data dir, and that a desktop mirror syncing from the
embedded server receives all of it."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.client.transport import ApiSession
from app.mirror.library import Library
from app.mirror.sync import SyncStatus
from app.server.database import Database
from app.server.demo import (
    DEMO_GROUP_TITLES,
    DemoCanceled,
    DemoSummary,
    create_demo,
    demo_exists,
)
from app.server.embedded import LOCAL_ACCOUNT, EmbeddedServer, embedded_config
from app.server.models import Account, Conversion, Group, Publication
from tests.conftest import Api

TITLES = {
    "Spring/Summer 2026 Catalogue",
    "Frühjahr/Sommer 2026 Katalog",
    "Catalogue Automne/Hiver 2026",
    "Garden Price List 2026",
    "Winter Sale 2025",
    "Journal No. 7: The Outdoor Issue",
    "Journal Nr. 7: Draußen leben",
    "Journal No. 6: Slow Living",
}


def database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'folio-server.sqlite3'}"


@dataclass
class Loaded:
    data_dir: Path
    summary: DemoSummary
    steps: list[tuple[str, int, int]]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    data_dir = tmp_path_factory.mktemp("demo")
    steps: list[tuple[str, int, int]] = []
    summary = create_demo(database_url(data_dir), data_dir, lambda *step: steps.append(step))
    return Loaded(data_dir, summary, steps)


@pytest.fixture(scope="module")
def embedded(loaded: Loaded) -> Iterator[EmbeddedServer]:
    """The desktop's embedded server on the demo's data dir, with its in-memory key."""
    config = embedded_config(loaded.data_dir, database_url(loaded.data_dir))
    with EmbeddedServer(config, "demo test") as server:
        yield server


def change_seq(data_dir: Path) -> int:
    db = Database(database_url(data_dir))
    try:
        with db.read() as session:
            seq = session.scalar(select(Account.change_seq).where(Account.name == LOCAL_ACCOUNT))
    finally:
        db.dispose()
    assert seq is not None
    return seq


def demo_rows(data_dir: Path) -> list[tuple[str, str, int, bool]]:
    """(title, state, page_count, archived) of every publication in the demo groups."""
    db = Database(database_url(data_dir))
    try:
        with db.read() as session:
            rows = session.execute(
                select(
                    Publication.title,
                    Publication.state,
                    Publication.page_count,
                    Publication.archived,
                )
                .join(Group, Group.id == Publication.group_id)
                .where(Group.title.in_(DEMO_GROUP_TITLES))
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        db.dispose()


# --- one run ----------------------------------------------------------------------------------


def test_summary_counts_what_was_made(loaded: Loaded) -> None:
    summary = loaded.summary
    assert summary.created
    assert (summary.groups, summary.publications, summary.products) == (2, 8, 20)
    rows = demo_rows(loaded.data_dir)
    assert summary.pages == sum(pages for _, _, pages, _ in rows)
    assert summary.hotspots > 100
    assert summary.files_dir == loaded.data_dir / "demo"
    assert sorted(p.name for p in summary.files_dir.glob("*.xml")) == [
        "fjord-and-field-products.xml"
    ]


def test_progress_reports_each_step_then_done(loaded: Loaded) -> None:
    done = [step[1] for step in loaded.steps]
    assert done == sorted(done)
    assert loaded.steps[-1] == ("Done", loaded.steps[-1][2], loaded.steps[-1][2])
    messages = [step[0] for step in loaded.steps]
    assert "Importing the product catalogue" in messages
    assert {f"Converting {title}" for title in TITLES} <= set(messages)


def test_demo_exists_after_a_run_and_not_before(loaded: Loaded, tmp_path: Path) -> None:
    assert demo_exists(database_url(loaded.data_dir))
    fresh = tmp_path / "never-used"
    assert not demo_exists(database_url(fresh))
    assert not fresh.exists()  # asking created nothing


def test_a_second_run_writes_nothing(loaded: Loaded) -> None:
    before = change_seq(loaded.data_dir)
    again = create_demo(database_url(loaded.data_dir), loaded.data_dir)
    assert not again.created
    assert change_seq(loaded.data_dir) == before
    assert (again.publications, again.pages, again.hotspots, again.products) == (
        loaded.summary.publications,
        loaded.summary.pages,
        loaded.summary.hotspots,
        loaded.summary.products,
    )


# --- what the desktop sees ----------------------------------------------------------------------


def test_a_mirror_syncing_from_the_embedded_server_receives_the_whole_demo(
    embedded: EmbeddedServer, tmp_path: Path
) -> None:
    api = Api(embedded.url, embedded.key)
    groups = {g["title"]: g["id"] for g in api.get("/v2/groups").json()["groups"]}
    with Library.open(tmp_path / "mirror.sqlite3") as library:
        session = ApiSession(embedded.url, embedded.key)
        try:
            report = library.sync(session)
        finally:
            session.close()
        assert report.status is SyncStatus.OK, report.message
        assert {g.data["title"] for g in library.groups()} >= set(DEMO_GROUP_TITLES)
        mirrored = [p for title in DEMO_GROUP_TITLES for p in library.publications(groups[title])]
        assert {p.data["title"] for p in mirrored} == TITLES
        for publication in mirrored:
            assert publication.data["cover_url"] and publication.data["page_count"] > 0
            path = (
                f"/v2/groups/{publication.data['group_id']}/publications/{publication.id}/spreads"
            )
            served = api.get(path).json()["spreads"]
            spreads = library.spreads(publication.id)
            assert [s.id for s in spreads] == [s["id"] for s in served]
            for spread in spreads:
                listed = api.get(f"/v2/spreads/{spread.id}/hotspots").json()["hotspots"]
                assert {h.id for h in library.hotspots(spread.id)} == {h["id"] for h in listed}
        catalogue = library.products(groups[DEMO_GROUP_TITLES[0]])
        assert len(catalogue) == 20


# --- interrupted and concurrent runs ----------------------------------------------------------


def test_a_canceled_run_is_completed_by_the_next_without_duplicates(tmp_path: Path) -> None:
    cancel = threading.Event()

    def cancel_midway(what: str, _done: int, _total: int) -> None:
        if what == "Creating Garden Price List 2026":
            cancel.set()

    with pytest.raises(DemoCanceled):
        create_demo(database_url(tmp_path), tmp_path, cancel_midway, cancel)
    made = {title for title, *_ in demo_rows(tmp_path)}
    assert made and made < TITLES

    summary = create_demo(database_url(tmp_path), tmp_path)
    assert summary.created and summary.publications == 8
    rows = demo_rows(tmp_path)
    assert Counter(title for title, *_ in rows) == Counter(TITLES)
    assert all(pages > 0 for _, _, pages, _ in rows)
    states = {title: state for title, state, _, _ in rows}
    # Made by the first run, converted and published by the second.
    assert states["Spring/Summer 2026 Catalogue"] == "online"


def test_it_works_while_a_server_with_conversion_workers_runs_on_the_data_dir(
    tmp_path: Path,
) -> None:
    config = embedded_config(tmp_path, database_url(tmp_path))
    with EmbeddedServer(config, "running beside the demo"):
        summary = create_demo(database_url(tmp_path), tmp_path)
    assert (summary.publications, summary.products) == (8, 20)
    db = Database(database_url(tmp_path))
    try:
        with db.read() as session:
            states = set(session.scalars(select(Conversion.state)))
    finally:
        db.dispose()
    assert states == {"finished"}


def test_an_archived_demo_publication_is_not_brought_back(tmp_path: Path) -> None:
    create_demo(database_url(tmp_path), tmp_path)
    db = Database(database_url(tmp_path))
    try:
        with db.read() as session:
            sale = session.scalar(
                select(Publication).where(Publication.title == "Winter Sale 2025")
            )
            assert sale is not None
            path = f"/v2/groups/{sale.group_id}/publications/{sale.id}"
    finally:
        db.dispose()
    with EmbeddedServer(embedded_config(tmp_path, database_url(tmp_path)), "archiver") as server:
        assert Api(server.url, server.key).delete(path).status_code == 204
    again = create_demo(database_url(tmp_path), tmp_path)
    assert not again.created and again.publications == 7
