"""What the detail panel does to the library, as plain functions run in workers: read one
publication with its group's choices, save edits (sending refused ones again), discard.
Also the plain rules about refused changes and which library changes concern the panel."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from app.core.enums import EntityType
from app.core.errors import NotFoundError
from app.mirror.library import ChangeSet, Item, Library, OutboxView
from app.mirror.outbox import EntryState, Op
from app.ui.detail_fields import Values

RELOADING_KINDS = (EntityType.PUBLICATION, EntityType.METATAG, EntityType.COLLECTION)


@dataclass(frozen=True)
class DetailSnapshot:
    """What the panel shows of one publication, read in a worker."""

    item: Item
    metatags: list[Item]
    collections: list[Item]
    refusals: list[OutboxView]  # the publication's changes the server refused


def load_snapshot(library: Library, publication_id: int) -> DetailSnapshot:
    """Raises NotFoundError when the publication is no longer in the library."""
    item = library.publication(publication_id)
    group_id = item.data.get("group_id")
    metatags = library.metatags(int(group_id)) if group_id is not None else []
    collections = library.collections(int(group_id)) if group_id is not None else []
    return DetailSnapshot(item, metatags, collections, refusals_of(library, publication_id))


def refusals_of(library: Library, publication_id: int) -> list[OutboxView]:
    return [
        entry
        for entry in library.outbox()
        if entry.entity_type == EntityType.PUBLICATION.value
        and entry.entity_id == publication_id
        and entry.state == EntryState.FAILED.value
    ]


def save_changes(
    library: Library, publication_id: int, changes: Values, retry_ids: list[int]
) -> ChangeSet:
    """Queue ``changes``, then send the refused changes in ``retry_ids`` again (those the
    new values did not replace)."""
    if changes:
        library.update_publication(publication_id, changes)
    still_refused = {entry.id for entry in refusals_of(library, publication_id)}
    for outbox_id in retry_ids:
        if outbox_id in still_refused:
            library.retry(outbox_id)
    return ChangeSet(EntityType.PUBLICATION, (publication_id,))


def discard_changes(library: Library, publication_id: int, outbox_ids: list[int]) -> ChangeSet:
    for outbox_id in outbox_ids:
        # Sent or dropped meanwhile: nothing left to discard.
        with contextlib.suppress(NotFoundError):
            library.discard(outbox_id)
    return ChangeSet(EntityType.PUBLICATION, (publication_id,))


def refused_field_errors(refusals: list[OutboxView], dirty: Values) -> dict[str, list[str]]:
    """The server's messages by field, for the fields the user hasn't changed since: a
    refusal stays beside a field until the user changes the refused value."""
    errors: dict[str, list[str]] = {}
    for entry in refusals:
        for name, messages in (entry.field_errors or {}).items():
            if name not in dirty:
                errors.setdefault(name, []).extend(str(m) for m in messages)
    return errors


def fixable_refusals(refusals: list[OutboxView]) -> list[OutboxView]:
    """The refused edits a form edit can fix: updates the server refused field by field."""
    return [e for e in refusals if e.op == Op.UPDATE.value and e.field_errors]


def concerns_panel(change: ChangeSet | None, publication_id: int) -> bool:
    """Whether the panel showing ``publication_id`` reads it again after ``change`` (None:
    anything may have changed): its metatags and collections are among the choices."""
    return change is None or (
        change.entity_type in RELOADING_KINDS
        and (change.entity_type is not EntityType.PUBLICATION or publication_id in change.ids)
    )
