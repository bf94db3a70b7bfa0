"""Sync: the local mirror's first sync and re-syncs against the raw download of the same feed.

Seeds a server database with ``--publications`` publications in ``--groups`` groups and the
change feed the API's write paths would have produced for them (one upsert per group and per
publication, with the presenters' data), starts a real ``folio serve`` process and measures,
in one run against that one server:

1. raw download: every page of ``GET /v2/changes?since=0&limit=1000`` with plain ``requests``
   (one session, JSON parsed, ``next_since`` followed until ``has_more`` is false);
2. first sync: ``Library.open(empty file).sync(ApiSession(url, key))``, rows/s, and its ratio
   to the raw download (target: at most 2.0);
3. no-change re-sync of the synced mirror (target: under 0.3 s);
4. re-sync pulling 100 changes made on the server through the API (target: under 1 s), and
   re-sync pushing 100 local edits (``Library.update_publication``), reported separately.

    .venv/bin/python bench/sync.py [--publications 10000] [--groups 100] [--repeats 3] [--profile]

``--profile`` also runs one more first sync under cProfile and prints the 15 functions with
the largest cumulative time, then the 10 with the largest own time (client side only: the
server is another process).

Not a test: it prints figures and never fails on them (it exits 1 only when a sanity check
shows the figures would be meaningless: a wrong feed, a failed sync, a missing change).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PAGE_LIMIT = 1000
CHANGED = 100  # publications changed on the server, and edited locally, per re-sync round
NO_CHANGE_REPEATS = 5
TARGET_RATIO = 2.0
TARGET_NO_CHANGE = 0.3
TARGET_CHANGED = 1.0


class SanityError(Exception):
    """The setup or a sync is not what the figures assume."""


@dataclass
class Seeded:
    key: str
    group_of: dict[int, int]  # publication id -> group id
    groups: int
    publications: int
    last_seq: int


@dataclass
class Figure:
    name: str
    timings: list[float]
    rows: int
    target: str = ""
    limit: float | None = None

    @property
    def best(self) -> float:
        return min(self.timings)

    @property
    def median(self) -> float:
        return statistics.median(self.timings)


# --- setup ---------------------------------------------------------------------------------


def seed(data_dir: Path, publications: int, groups: int) -> Seeded:
    """One account, an admin key, ``groups`` groups of publications, and their change feed."""
    from sqlalchemy import insert, select, update

    from app.core.enums import ChangeOp, EntityType, KeyScope
    from app.core.timestamps import utc_now
    from app.server.accounts import create_key, ensure_account
    from app.server.database import Database
    from app.server.models import Account, Change, Group, Publication
    from app.server.presenters import group_data, publication_data

    db = Database(f"sqlite:///{data_dir / 'folio-server.sqlite3'}")
    db.migrate()
    now = utc_now()
    with db.write() as session:
        account = ensure_account(session, "bench")
        _, key = create_key(session, account.id, "bench", KeyScope.ADMIN)
        session.execute(
            insert(Group),
            [
                {
                    "account_id": account.id,
                    "title": f"Catalogues {g}",
                    "slug": f"catalogues-{g}",
                    "created_at": now,
                    "updated_at": now,
                }
                for g in range(groups)
            ],
        )
        group_rows = list(
            session.scalars(select(Group).where(Group.account_id == account.id).order_by(Group.id))
        )
        session.execute(
            insert(Publication),
            [
                {
                    "group_id": group_rows[n * groups // publications].id,
                    "title": f"Catalogue {n}",
                    "browser_title": f"Catalogue {n} | Shop",
                    "description": "Seasonal catalogue with products, prices and store information.",
                    "slug": f"catalogue-{n}",
                    "language": "en",
                    "page_count": 24,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(publications)
            ],
        )
        publication_rows = list(session.scalars(select(Publication).order_by(Publication.id)))
        counts = Counter(p.group_id for p in publication_rows)
        slugs = {g.id: g.slug for g in group_rows}
        # What the write paths record: group_data for a group (group_service.create_group,
        # publication_service.group_change), present_publication = publication_data with the
        # metatag ids (none here) for a publication (routes/publications.py _record).
        entries: list[tuple[EntityType, int, int, dict[str, Any]]] = [
            (EntityType.GROUP, g.id, g.id, group_data(g, counts[g.id])) for g in group_rows
        ]
        entries += [
            (EntityType.PUBLICATION, p.id, p.group_id, publication_data(p, slugs[p.group_id], []))
            for p in publication_rows
        ]
        first = (account.change_seq or 0) + 1
        session.execute(
            insert(Change),
            [
                {
                    "account_id": account.id,
                    "seq": first + offset,
                    "entity_type": kind.value,
                    "entity_id": entity_id,
                    "group_id": group_id,
                    "op": ChangeOp.UPSERT.value,
                    "data": data,
                    "created_at": now,
                }
                for offset, (kind, entity_id, group_id, data) in enumerate(entries)
            ],
        )
        last_seq = first + len(entries) - 1
        session.execute(update(Account).where(Account.id == account.id).values(change_seq=last_seq))
        group_of = {p.id: p.group_id for p in publication_rows}
    db.dispose()
    return Seeded(key, group_of, len(group_rows), len(publication_rows), last_seq)


def start_server(
    data_dir: Path, *options: str, conversion_processes: int | None = 0
) -> tuple[subprocess.Popen[str], str]:
    """``folio serve`` on a free port (conversions off unless ``conversion_processes`` says
    otherwise; None keeps the server's default); returns the process and its URL once it
    answers."""
    command = [sys.executable, "-m", "app", "serve", "--port", "0", "--data-dir", str(data_dir)]
    command += ["--rate-limit", "100000000", *options]
    if conversion_processes is not None:
        command += ["--conversion-processes", str(conversion_processes)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines: list[str] = []
    url = None
    for line in process.stdout:
        lines.append(line)
        if "listening on" in line:
            url = line.rsplit(" ", 1)[-1].strip()
            break
    if url is None:
        stop_server(process)
        raise RuntimeError("server did not start:\n" + "".join(lines))
    # Keep reading its console so a chatty server never blocks on a full pipe.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.05)
    return process, url


def stop_server(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- measurements --------------------------------------------------------------------------


def download_feed(http: requests.Session, url: str) -> list[dict[str, Any]]:
    """Every entry of the change feed, page by page, as a client without a mirror would."""
    entries: list[dict[str, Any]] = []
    since = 0
    while True:
        response = http.get(f"{url}/v2/changes", params={"since": since, "limit": PAGE_LIMIT})
        response.raise_for_status()
        body = response.json()
        entries.extend(body["changes"])
        since = body["next_since"]
        if not body["has_more"]:
            return entries


def check_feed(http: requests.Session, url: str, seeded: Seeded) -> None:
    entries = download_feed(http, url)
    kinds = Counter((e["type"], e["op"]) for e in entries)
    expected = Counter(
        {("group", "upsert"): seeded.groups, ("publication", "upsert"): seeded.publications}
    )
    seqs = [e["seq"] for e in entries]
    if kinds != expected or seqs != list(range(1, seeded.last_seq + 1)):
        raise SanityError(
            f"the change feed holds {dict(kinds)} (seq {seqs[:1]}..{seqs[-1:]}), "
            f"expected {dict(expected)} (seq 1..{seeded.last_seq})"
        )
    publication = next(e for e in entries if e["type"] == "publication")
    if not publication["data"]["url"].startswith(url):
        raise SanityError(f"unexpected feed entry: {publication}")


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def check_report(report: Any, what: str, *, pushed: int = 0) -> None:
    from app.mirror.sync import SyncStatus

    if report.status is not SyncStatus.OK or report.failed or report.conflicts:
        raise SanityError(f"{what}: {report}")
    if report.pushed != pushed or report.pending:
        raise SanityError(f"{what}: expected {pushed} pushed and none pending, got {report}")


def first_sync(url: str, key: str, path: Path) -> tuple[float, float, Any, Any]:
    """Open a new mirror at ``path`` and sync it; returns (open s, sync s, library, report)."""
    from app.client.transport import ApiSession
    from app.mirror.library import Library

    opened, library = timed(lambda: Library.open(path))
    api = ApiSession(url, key)
    seconds, report = timed(lambda: library.sync(api))
    api.close()
    return opened, seconds, library, report


def change_on_server(http: requests.Session, url: str, titles: dict[int, tuple[int, str]]) -> None:
    for publication_id, (group_id, title) in titles.items():
        response = http.put(
            f"{url}/v2/groups/{group_id}/publications/{publication_id}",
            json={"publication": {"title": title}},
        )
        if response.status_code != 200:
            raise SanityError(f"PUT publication {publication_id}: {response.status_code}")


def check_mirror_titles(library: Any, titles: dict[int, tuple[int, str]], what: str) -> None:
    wrong = [
        pid for pid, (_, title) in titles.items() if library.publication(pid).data["title"] != title
    ]
    if wrong:
        raise SanityError(f"{what}: {len(wrong)} titles missing in the mirror (ids {wrong[:5]})")


def check_server_titles(
    http: requests.Session, url: str, titles: dict[int, tuple[int, str]], what: str
) -> None:
    wrong = []
    for pid, (group_id, title) in titles.items():
        body = http.get(f"{url}/v2/groups/{group_id}/publications/{pid}").json()
        if body["publication"][0]["title"] != title:
            wrong.append(pid)
    if wrong:
        raise SanityError(f"{what}: {len(wrong)} titles missing on the server (ids {wrong[:5]})")


def profile_first_sync(url: str, key: str, path: Path, top: int = 15) -> str:
    from app.client.transport import ApiSession
    from app.mirror.library import Library

    library = Library.open(path)
    api = ApiSession(url, key)
    profiler = cProfile.Profile()
    profiler.enable()
    report = library.sync(api)
    profiler.disable()
    api.close()
    library.close()
    check_report(report, "profiled first sync")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    print("by own time:", file=out)
    stats.sort_stats("tottime").print_stats(10)
    return out.getvalue()


# --- output --------------------------------------------------------------------------------


def print_table(figures: list[Figure]) -> None:
    header = f"{'figure':44}{'best s':>9}{'median s':>10}{'rows':>8}{'rows/s':>10}  target"
    print(header)
    print("-" * (len(header) + 10))
    for f in figures:
        rate = f"{f.rows / f.best:>10,.0f}" if f.rows else f"{'-':>10}"
        verdict = ""
        if f.limit is not None:
            verdict = "  met" if f.best < f.limit else "  MISSED"
        print(f"{f.name:44}{f.best:>9.3f}{f.median:>10.3f}{f.rows:>8,}{rate}  {f.target}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--publications", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="profile one more first sync (cProfile)"
    )
    args = parser.parse_args()
    if args.publications < 2 * CHANGED:
        parser.error(f"--publications must be at least {2 * CHANGED}")

    work = Path(tempfile.mkdtemp(prefix="folio-bench-sync-"))
    server: subprocess.Popen[str] | None = None
    libraries: list[Any] = []
    try:
        print(
            f"seeding {args.publications:,} publications in {args.groups} groups "
            "and their change feed ...",
            flush=True,
        )
        seeded = seed(work / "server", args.publications, args.groups)
        server, url = start_server(work / "server")
        http = requests.Session()
        http.headers["Authorization"] = f"ApiKey {seeded.key}"
        check_feed(http, url, seeded)  # also warms the server up
        rows = seeded.groups + seeded.publications
        print(
            f"server {url}: feed of {rows:,} entries ({seeded.groups} group and "
            f"{seeded.publications:,} publication upserts), pages of {PAGE_LIMIT}\n",
            flush=True,
        )

        # 1. the raw download
        raw = [timed(lambda: download_feed(http, url))[0] for _ in range(args.repeats)]

        # 2. first syncs, each into a new mirror file
        firsts, opens = [], []
        library = None
        for n in range(args.repeats):
            if library is not None:
                library.close()
            opened, seconds, library, report = first_sync(
                url, seeded.key, work / f"mirror-{n}.sqlite3"
            )
            libraries.append(library)
            check_report(report, "first sync")
            if report.pulled != rows or library.publication_count() != seeded.publications:
                raise SanityError(
                    f"first sync pulled {report.pulled} of {rows} entries, the mirror has "
                    f"{library.publication_count()} of {seeded.publications} publications"
                )
            firsts.append(seconds)
            opens.append(opened)
        assert library is not None

        # 3. no-change re-syncs of the last mirror
        from app.client.transport import ApiSession

        api = ApiSession(url, seeded.key)
        no_change = []
        for _ in range(NO_CHANGE_REPEATS):
            seconds, report = timed(lambda: library.sync(api))
            check_report(report, "no-change re-sync")
            if report.pulled:
                raise SanityError(f"no-change re-sync pulled {report.pulled} entries")
            no_change.append(seconds)

        # 4. re-syncs after 100 server changes, and after 100 local edits
        ids = sorted(seeded.group_of)
        step = len(ids) // CHANGED
        pulled_ids, pushed_ids = ids[::step][:CHANGED], ids[1::step][:CHANGED]
        pulls, pushes, plain_puts = [], [], []
        for n in range(args.repeats):
            titles = {
                pid: (seeded.group_of[pid], f"Server edit {n} of {pid}") for pid in pulled_ids
            }
            plain_puts.append(timed(lambda: change_on_server(http, url, titles))[0])  # noqa: B023
            seconds, report = timed(lambda: library.sync(api))
            check_report(report, "re-sync after server changes")
            if report.pulled != CHANGED:
                raise SanityError(f"re-sync pulled {report.pulled} entries, not {CHANGED}")
            check_mirror_titles(library, titles, "re-sync after server changes")
            pulls.append(seconds)

            edits = {pid: (seeded.group_of[pid], f"Local edit {n} of {pid}") for pid in pushed_ids}
            for pid, (_, title) in edits.items():
                library.update_publication(pid, {"title": title})
            seconds, report = timed(lambda: library.sync(api))
            check_report(report, "re-sync pushing local edits", pushed=CHANGED)
            check_mirror_titles(library, edits, "re-sync pushing local edits")
            check_server_titles(http, url, edits, "re-sync pushing local edits")
            pushes.append(seconds)
        api.close()

        figures = [
            Figure(f"raw feed download (requests, {args.repeats}x)", raw, rows),
            Figure(f"first sync, empty mirror ({args.repeats}x)", firsts, rows),
            Figure(
                f"no-change re-sync ({NO_CHANGE_REPEATS}x)",
                no_change,
                0,
                f"< {TARGET_NO_CHANGE} s",
                TARGET_NO_CHANGE,
            ),
            Figure(
                f"re-sync pulling {CHANGED} server changes ({args.repeats}x)",
                pulls,
                CHANGED,
                f"< {TARGET_CHANGED:g} s",
                TARGET_CHANGED,
            ),
            Figure(f"{CHANGED} plain PUTs with requests ({args.repeats}x)", plain_puts, CHANGED),
            Figure(
                f"re-sync pushing {CHANGED} local edits ({args.repeats}x)",
                pushes,
                CHANGED,
                f"< {TARGET_CHANGED:g} s",
                TARGET_CHANGED,
            ),
        ]
        print_table(figures)
        load = os.getloadavg()[0]
        print(f"\n(load average over the last minute: {load:.2f} on {os.cpu_count()} cores", end="")
        print("; other work on the machine inflates every figure)" if load > 1.5 else ")")
        ratio = min(firsts) / min(raw)
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(
            f"ratio first sync / raw download (best): {ratio:.2f}   "
            f"(target: at most {TARGET_RATIO}; {verdict})"
        )
        print(
            f"ratio push re-sync / the same number of plain PUTs (best): "
            f"{min(pushes) / min(plain_puts):.2f}   (each edit is one PUT with If-Match; the "
            "server's write is the floor)"
        )
        each = ", ".join(f"{t:.3f}" for t in firsts)
        print(
            f"(first syncs in run order: {each} s; the first is this process's first sync, "
            "which also pays for lazy imports and SQL statement compilation)"
        )
        print(
            f"(opening and migrating a new mirror file, not in the first-sync figure: "
            f"best {min(opens):.3f} s, median {statistics.median(opens):.3f} s)"
        )
        print(
            f"(the push re-sync sends {CHANGED} PUTs one at a time, then pulls the "
            f"{CHANGED} feed entries they produced)"
        )

        if args.profile:
            print("\nprofile of one first sync (client side, cumulative):", flush=True)
            print(profile_first_sync(url, seeded.key, work / "mirror-profile.sqlite3"))
    except SanityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        for library in libraries:
            library.close()
        if server is not None:
            stop_server(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
