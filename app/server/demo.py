"""The demo workspace: sample groups, publications with hotspots, and a product catalogue in
the embedded server's database, for a first start, screenshots and trying Folio out.

Everything is written the way the API writes it: the route handlers run in-process (no HTTP;
the local account is the caller), conversions run through the server's ConversionWorker and
the feed import through its FeedImportWorker, synchronously in the calling thread. So every
write lands in the change feed, and a desktop mirror syncing from ``/v2/changes`` sees it all.

Each part is created only when it is missing (groups, metatags, collections and publications
are found by title, the catalogue by the group having products), so running it again
duplicates nothing and completes a run that was cut short. The sample PDFs and the feed stay
in ``<data dir>/demo`` for trying ``folio hotspots`` and the hotspot editor on.

What is made is in ``demo_content``; how one run makes it, in ``demo_steps``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.server.database import Database
from app.server.demo_content import DEMO_GROUP_TITLES, demo_groups
from app.server.demo_steps import DemoCanceled, DemoError, DemoProgress, DemoRun
from app.server.embedded import LOCAL_ACCOUNT
from app.server.models import Account, Group, HotspotRow, Page, Product, Publication

__all__ = [
    "DEMO_GROUP_TITLES",
    "DemoCanceled",
    "DemoError",
    "DemoProgress",
    "DemoSummary",
    "create_demo",
    "demo_exists",
]


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    """False when everything was there already and nothing was written."""
    groups: int
    publications: int
    pages: int
    hotspots: int
    products: int
    files_dir: Path
    """Where the sample PDFs and the product feed are."""
    seconds: float


def _demo_group_ids(session: Session, account_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Group.id).where(
                Group.account_id == account_id, Group.title.in_(DEMO_GROUP_TITLES)
            )
        )
    )


def _summary(run: DemoRun, seconds: float) -> DemoSummary:
    with run.db.read() as session:
        group_ids = _demo_group_ids(session, run.principal.account_id)
        live = select(Publication.id).where(
            Publication.group_id.in_(group_ids), Publication.archived.is_(False)
        )
        count, pages = session.execute(
            select(func.count(), func.coalesce(func.sum(Publication.page_count), 0)).where(
                Publication.id.in_(live)
            )
        ).one()
        hotspots = session.scalar(
            select(func.count())
            .select_from(HotspotRow)
            .join(Page, Page.id == HotspotRow.page_id)
            .where(Page.publication_id.in_(live))
        )
        products = session.scalar(
            select(func.count()).select_from(Product).where(Product.group_id.in_(group_ids))
        )
    return DemoSummary(
        created=run.created,
        groups=len(group_ids),
        publications=int(count),
        pages=int(pages),
        hotspots=int(hotspots or 0),
        products=int(products or 0),
        files_dir=run.files_dir,
        seconds=seconds,
    )


def create_demo(
    database_url: str,
    data_dir: Path,
    progress: DemoProgress | None = None,
    cancel: threading.Event | None = None,
) -> DemoSummary:
    """Fill the embedded server's database (``database_url``; its files under ``data_dir``)
    with the demo workspace in the ``local`` account, creating only what is missing. Takes
    a second or two. Safe while a server runs on the same database: work its workers take
    over is waited for.

    PyMuPDF runs in the calling thread (drawing and converting the PDFs), so no other
    PyMuPDF work may run in other threads meanwhile. ``progress`` is called from this
    thread before each step; ``cancel`` is looked at between steps. Raises DemoError (a
    FolioError, with a message for the user), DemoCanceled when canceled.
    """
    started = time.monotonic()
    db = Database(database_url)
    try:
        run = DemoRun(db, data_dir, progress, cancel)
        run.run(demo_groups())
        return _summary(run, time.monotonic() - started)
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise DemoError(f"Could not write the database {database_url}: {reason}") from exc
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise DemoError(f"Could not write{where}: {exc.strerror or exc}") from exc
    finally:
        db.dispose()


def demo_exists(database_url: str) -> bool:
    """Whether the demo workspace was loaded into this database (a demo group is in the
    ``local`` account). Writes nothing; False for a database that doesn't exist yet."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return False  # checked first: opening it would create the file
    db = Database(database_url)
    try:
        with db.read() as session:
            account = session.scalar(select(Account.id).where(Account.name == LOCAL_ACCOUNT))
            return account is not None and bool(_demo_group_ids(session, account))
    except SQLAlchemyError:
        return False  # no tables yet: nothing was loaded
    finally:
        db.dispose()
