"""Saving the hotspot editor's hotspots into a PDF file.

The editor holds the complete set of a document's hotspots, so saving replaces every hotspot
annotation in the file with exactly those (other annotations, such as highlights, ink and
comments, stay). What was written is read back with the same extraction code the server uses,
and a file that does not hold the hotspots as drawn never passes for the result.

Saving over the file the document came from keeps a backup beside it and appends the changes
(an incremental update), so the original bytes stay untouched at the start of the file.
"""

from __future__ import annotations

import errno
import glob
import logging
import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.core.errors import HotspotSaveError, InvalidPdfError
from app.core.hotspots import (
    Hotspot,
    HotspotType,
    annotation_contents,
    external_link,
    page_reference,
    read_annotation_contents,
    same_hotspot,
)
from app.pdf.annotation_reader import read_hotspots
from app.pdf.annotation_writer import remove_hotspot_annotations, write_hotspots
from app.pdf.document import MUPDF_ERRORS, PdfDocument
from app.pdf.page_ops import replace_page
from app.pdf.pdf_syntax import PdfSyntaxError
from app.pdf.web_addresses import web_address

logger = logging.getLogger(__name__)
KEPT_BACKUPS = 5
"""Backups kept beside a PDF saved in place; older ones are removed after a save."""

BACKUP_TIME_FORMAT = "%Y%m%d-%H%M%S"
FULL_SAVE_NOTICE = (
    "The PDF could not be updated in place, so it was rewritten in full; "
    "the backup keeps the original."
)
# Words a designer understands for the usual reasons a file can't be written.
_OS_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "the folder does not exist",
    errno.EISDIR: "it is a folder",
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the disk is read-only",
}

# How messages name a hotspot of each type.
_PHRASES = {
    HotspotType.PRODUCT: "a product hotspot",
    HotspotType.EXTERNAL_LINK: "a link",
    HotspotType.PAGE_REFERENCE: "a page reference",
    HotspotType.IMAGE: "an image hotspot",
    HotspotType.VIDEO: "a video hotspot",
    HotspotType.SLIDESHOW: "a slideshow",
}

PageReplacements = Mapping[int, tuple[Path, int]]


@dataclass(frozen=True)
class SavedPdf:
    """What ``save_hotspots`` wrote: the file, the backup of the original (saving in place
    only), whether the changes were appended to the original bytes, how many hotspots the
    file now holds, and notices for the designer."""

    path: Path
    backup: Path | None
    incremental: bool
    hotspot_count: int
    warnings: list[str] = field(default_factory=list)


def save_hotspots(
    source: Path,
    hotspots: Sequence[Hotspot],
    target: Path,
    *,
    page_replacements: PageReplacements | None = None,
    now: datetime | None = None,
) -> SavedPdf:
    """Write ``source`` with exactly ``hotspots`` as its hotspot annotations to ``target``.

    Rectangles are PDF user space of each hotspot's 1-based page (points, origin
    bottom-left). ``page_replacements`` maps a 1-based page of ``source`` to (another PDF,
    its 1-based page) that takes its place first; the replaced page's annotations go.
    Every existing hotspot annotation is removed; other annotations stay.

    When ``target`` is ``source`` the original is first copied to
    ``<stem>.backup-YYYYMMDD-HHMMSS.pdf`` beside it (``now``, default the local time), and
    the changes are appended to the file; a file that can't take an appended update (a
    repaired one) is rewritten in full. Another ``target`` is replaced atomically.

    The written file is read back; it must hold the given hotspots (rectangles within
    0.01 pt), as far as PDF annotations can carry them (fields they can't carry are named
    in the result's warnings). Raises ``InvalidPdfError`` for a ``source`` that can't be
    used (damaged, encrypted, not a PDF) and ``HotspotSaveError`` for anything else: a
    hotspot or page replacement that can't be written (nothing is written), a file that
    can't be read or written, or a result that does not read back as saved (the original is
    restored from the backup, or the new target removed).
    """
    source, target = Path(source), Path(target)
    in_place = _same_file(source, target)
    # Saving in place appends to the file, which PyMuPDF only does for a document it reads
    # from that file; otherwise the whole source is read into memory at once.
    with _open(source, in_memory=not in_place) as doc:
        expected, warnings = _edit(doc, hotspots, source.name, page_replacements or {})
        warnings = [*doc.notices, *warnings]
        if in_place:
            backup = _make_backup(source, now or datetime.now())
            incremental = _replace_original(doc, source, backup, expected)
            if not incremental:
                warnings.append(FULL_SAVE_NOTICE)
            _prune_backups(source, backup)
            return SavedPdf(source, backup, incremental, len(expected), warnings)
        _write_copy(doc, target, expected)
        return SavedPdf(target, None, False, len(expected), warnings)


def _same_file(source: Path, target: Path) -> bool:
    # A hard link or another spelling of the same path is the same file too.
    return source.resolve() == target.resolve() or (
        target.exists() and source.exists() and source.samefile(target)
    )


def _os_reason(error: OSError, *, reading: bool = False) -> str:
    if reading and error.errno == errno.ENOENT:
        return "the file does not exist"
    if error.errno in _OS_REASONS:
        return _OS_REASONS[error.errno]
    reason = error.strerror or "the system refused"
    return reason[:1].lower() + reason[1:]


def _open(path: Path, *, in_memory: bool = True) -> PdfDocument:
    """Raises InvalidPdfError for a file that is not a usable PDF, HotspotSaveError for one
    that can't be read."""
    try:
        return PdfDocument.open(path, in_memory=in_memory)
    except OSError as error:
        raise HotspotSaveError(
            f"can't read {path.name}: {_os_reason(error, reading=True)}"
        ) from None


def _edit(
    doc: PdfDocument,
    hotspots: Sequence[Hotspot],
    name: str,
    page_replacements: PageReplacements,
) -> tuple[list[Hotspot], list[str]]:
    """Replace pages, then replace every hotspot annotation with ``hotspots``, in memory.
    Returns the hotspots as they will read back, and warnings. Raises HotspotSaveError
    naming the page and the reason (the file is untouched)."""
    _replace_pages(doc, page_replacements, name)
    expected, warnings = _stored_forms(doc, hotspots, name)
    try:
        remove_hotspot_annotations(doc)
        write_hotspots(doc, hotspots)
    except PdfSyntaxError as error:
        logger.info("%s: unusable /Annots: %s", name, error)
        raise HotspotSaveError(
            f"Can't save {name}: a page's list of annotations is damaged."
        ) from None
    except ValueError as error:  # a rectangle without an area, a target page missing
        raise HotspotSaveError(f"Can't save {name}: {error}.") from None
    return expected, warnings


def _replace_pages(doc: PdfDocument, page_replacements: PageReplacements, name: str) -> None:
    with ExitStack() as stack:
        for page, (other, other_page) in sorted(page_replacements.items()):
            try:
                replacement = stack.enter_context(_open(Path(other)))
                replace_page(doc, page, replacement, other_page)
            except (InvalidPdfError, ValueError) as error:
                raise HotspotSaveError(
                    f"Can't replace page {page} of {name} with page {other_page} of "
                    f"{Path(other).name}: {error}"
                ) from None


def _stored_forms(
    doc: PdfDocument, hotspots: Sequence[Hotspot], name: str
) -> tuple[list[Hotspot], list[str]]:
    """The hotspots as reading them back will give them, and warnings for fields that a
    PDF can't hold. Raises HotspotSaveError for a hotspot that can't be written."""
    expected: list[Hotspot] = []
    warnings: list[str] = []
    for hotspot in hotspots:
        if not 1 <= hotspot.page <= doc.page_count:
            raise HotspotSaveError(
                f"Can't save {name}: a hotspot is on page {hotspot.page}, but the PDF has "
                f"{doc.page_count} pages."
            )
        try:
            stored = stored_form(hotspot)
        except ValueError as error:
            raise HotspotSaveError(f"Can't save {name}: {error}.") from None
        lost = [
            key
            for key, value in hotspot.properties.items()
            if key not in stored.properties and value not in (None, False)
        ]
        if lost:
            warnings.append(
                f"Page {hotspot.page}: the {', '.join(lost)} of {_PHRASES[hotspot.type]} "
                f"can't be stored in a PDF and {'was' if len(lost) == 1 else 'were'} left out."
            )
        expected.append(stored)
    return expected, warnings


def stored_form(hotspot: Hotspot) -> Hotspot:
    """``hotspot`` as ``read_hotspots`` gives it back once ``write_hotspots`` has written it:
    fields that annotations can't carry (a link's icon, say) are dropped, defaults filled in.
    Raises ValueError, naming the page, for a hotspot that can't be written."""
    page, rect, properties = hotspot.page, hotspot.rect, hotspot.properties
    phrase = _PHRASES[hotspot.type]
    try:
        contents = annotation_contents(hotspot)
    except ValueError:
        raise ValueError(f"{phrase} on page {page} can't be stored in a PDF") from None
    except KeyError as missing:
        raise ValueError(f"{phrase} on page {page} lacks its {missing}") from None
    if contents is not None:
        try:
            kind, stored = read_annotation_contents(contents)
        except ValueError as error:  # NotAHotspot: the fields describe no hotspot
            raise ValueError(f"{phrase} on page {page}: {error}") from None
        return Hotspot(kind, page, rect, stored)
    if hotspot.type is HotspotType.PAGE_REFERENCE:
        return page_reference(page, rect, properties.get("page"))
    url = properties.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"a link on page {page} has no URL")
    try:
        return external_link(page, rect, web_address(url))
    except ValueError as error:
        raise ValueError(f"page {page} has {error}") from None


def _make_backup(source: Path, now: datetime) -> Path:
    """Copy ``source`` to a new ``<stem>.backup-<time>[-N].pdf`` beside it; its path.
    Raises HotspotSaveError when it can't be written (nothing else changed)."""
    stamp = now.strftime(BACKUP_TIME_FORMAT)
    # After the backups of this second so far, so the numbers keep counting up when older
    # ones were pruned (the order of backups is read from their names).
    same_second = source.parent.glob(f"{glob.escape(source.stem)}.backup-{stamp}*.pdf")
    number = max((_backup_age(p)[1] + 1 for p in same_second), default=1)
    while True:
        suffix = "" if number == 1 else f"-{number}"
        backup = source.with_name(f"{source.stem}.backup-{stamp}{suffix}.pdf")
        try:
            # "x": never overwrite an earlier backup, even one made at the same moment.
            copy = backup.open("xb")
        except FileExistsError:
            number += 1
            continue
        except OSError as error:
            raise _backup_error(source, error) from None
        try:
            with copy, source.open("rb") as original:
                shutil.copyfileobj(original, copy)
        except OSError as error:
            backup.unlink(missing_ok=True)  # half a backup is no backup
            raise _backup_error(source, error) from None
        # The backup keeps the original's permissions and modification time.
        with suppress(OSError):
            shutil.copystat(source, backup)
        return backup


def _prune_backups(source: Path, newest: Path) -> None:
    """Keep the KEPT_BACKUPS most recent backups of ``source`` (a catalogue saved every few
    minutes would otherwise fill the disk with copies of itself). Best effort: a backup that
    can't be removed stays."""
    pattern = f"{glob.escape(source.stem)}.backup-*.pdf"
    backups = sorted((p for p in source.parent.glob(pattern) if p != newest), key=_backup_age)
    for old in backups[: max(0, len(backups) - (KEPT_BACKUPS - 1))]:
        try:
            old.unlink()
        except OSError as error:
            logger.info("could not remove the old backup %s: %s", old.name, error)


def _backup_age(path: Path) -> tuple[str, int]:
    """Sorts backups oldest first: by the time in the name, then by the -N that tells
    backups made in the same second apart."""
    stamp = path.stem.rsplit(".backup-", 1)[-1]
    parts = stamp.split("-")
    count = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
    return "-".join(parts[:2]), count


def _backup_error(source: Path, error: OSError) -> HotspotSaveError:
    return HotspotSaveError(
        f"can't write a backup of {source.name}: {_os_reason(error)}; nothing was changed"
    )


def _replace_original(
    doc: PdfDocument, source: Path, backup: Path, expected: list[Hotspot]
) -> bool:
    """Save ``doc`` over ``source`` (appended when possible: True) and check it; on any
    failure put the backup's bytes back and raise HotspotSaveError."""
    with _restoring_on_failure(doc, source, backup):
        incremental = _save_incrementally(doc)
        if not incremental:
            # A full save replaces the whole file, so a refused incremental save that
            # appended part of an update leaves nothing behind.
            _save_in_full(doc, source)
        _verify(source, expected)
        return incremental


def _save_incrementally(doc: PdfDocument) -> bool:
    """Append the changes to the file ``doc`` was opened from; False when MuPDF can't."""
    if doc.repaired or not doc.raw.can_save_incrementally():
        return False
    try:
        doc.raw.saveIncr()
    except (ValueError, *MUPDF_ERRORS) as error:
        logger.info("incremental save refused, saving in full: %s", error)
        return False
    return True


def _save_in_full(doc: PdfDocument, path: Path) -> None:
    # ``doc`` reads from ``path``, and Windows can't replace a file that is open: write from
    # a copy in memory instead.
    with PdfDocument.open(doc.to_bytes()) as copy:
        doc.close()
        copy.save(path)


@contextmanager
def _restoring_on_failure(doc: PdfDocument, source: Path, backup: Path) -> Iterator[None]:
    try:
        yield
    except BaseException as error:
        doc.close()  # it may read from ``source``, which is about to be replaced
        try:
            _restore(backup, source)
        except OSError as restore_error:
            logger.error("restoring %s from its backup failed: %s", source, restore_error)
            raise HotspotSaveError(
                f"Saving {source.name} failed and it could not be restored: the original is "
                f"in {backup.name}."
            ) from None
        if not isinstance(error, Exception):
            raise
        raise HotspotSaveError(
            f"{_failure_message(error, source.name)} The original file was restored."
        ) from None


def _restore(backup: Path, original: Path) -> None:
    """Put the backup's bytes back in place of ``original`` atomically. Raises OSError."""
    temporary = original.with_name(f".{original.name}.{uuid.uuid4().hex[:12]}.restore")
    try:
        shutil.copy2(backup, temporary)
        os.replace(temporary, original)
    finally:
        temporary.unlink(missing_ok=True)


def _write_copy(doc: PdfDocument, target: Path, expected: list[Hotspot]) -> None:
    try:
        doc.save(target)
    except OSError as error:
        # PdfDocument.save is atomic: nothing was written.
        raise HotspotSaveError(f"can't write {target.name}: {_os_reason(error)}") from None
    try:
        _verify(target, expected)
    except Exception as error:
        target.unlink(missing_ok=True)
        raise HotspotSaveError(
            f"{_failure_message(error, target.name)} The file was removed."
        ) from None


def _failure_message(error: Exception, name: str) -> str:
    if isinstance(error, HotspotSaveError):
        return str(error)
    if isinstance(error, OSError):
        return f"can't write {name}: {_os_reason(error)}."
    logger.exception("saving hotspots into %s failed", name)
    return f"Saving {name} failed."


def _verify(path: Path, expected: list[Hotspot]) -> None:
    """Raises HotspotSaveError unless the PDF at ``path`` holds exactly ``expected``."""
    try:
        with PdfDocument.open(path) as written:
            found = read_hotspots(written).hotspots
    except InvalidPdfError:
        raise HotspotSaveError(f"{path.name} could not be read back after saving.") from None
    missing, unexpected = hotspot_differences(found, expected)
    if missing or unexpected:
        raise HotspotSaveError(
            f"{path.name} did not read back with the hotspots as saved "
            f"({missing} missing, {unexpected} unexpected)."
        )


def hotspot_differences(found: Sequence[Hotspot], expected: Sequence[Hotspot]) -> tuple[int, int]:
    """How many of ``expected`` are missing from ``found`` and how many of ``found`` are
    extra, matching hotspots as ``same_hotspot`` does; order does not matter."""
    pool: dict[tuple[HotspotType, int], list[Hotspot]] = defaultdict(list)
    for hotspot in found:
        pool[hotspot.type, hotspot.page].append(hotspot)
    missing = 0
    for wanted in expected:
        candidates = pool[wanted.type, wanted.page]
        match = next((h for h in candidates if same_hotspot(h, wanted)), None)
        if match is None:
            missing += 1
        else:
            candidates.remove(match)
    return missing, sum(len(rest) for rest in pool.values())
