"""The content-addressed file store: names are hashes, writes are atomic, names can't escape."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.server.file_store import FileStore


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


def _all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_bytes_names_the_file_by_its_sha256_and_fans_out(store: FileStore) -> None:
    data = b"a page image"
    name = store.put_bytes(data, ".jpg")
    digest = hashlib.sha256(data).hexdigest()
    assert name == f"{digest}.jpg"
    path = store.path_of(name)
    assert path == store.root / digest[:2] / digest[2:4] / name
    assert path.read_bytes() == data


def test_putting_the_same_bytes_twice_stores_one_file(store: FileStore) -> None:
    first = store.put_bytes(b"same", ".png")
    second = store.put_bytes(b"same", ".png")
    assert first == second
    assert _all_files(store.root) == [store.path_of(first)]


def test_the_same_bytes_with_another_suffix_are_another_name(store: FileStore) -> None:
    assert store.put_bytes(b"x", ".jpg") != store.put_bytes(b"x", ".webp")


def test_writes_leave_no_temp_files(store: FileStore, tmp_path: Path) -> None:
    source = tmp_path / "page.pdf"
    source.write_bytes(b"%PDF-1.7 body")
    names = {store.put_bytes(b"one", ".txt"), store.put_file(source, ".pdf")}
    assert {p.name for p in _all_files(store.root)} == names


def test_put_file_hashes_the_content_and_keeps_the_source(store: FileStore, tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000  # several hashing chunks
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    name = store.put_file(source, ".bin")
    assert name == hashlib.sha256(data).hexdigest() + ".bin"
    assert store.path_of(name).read_bytes() == data
    assert source.exists()


def test_put_file_with_move_removes_the_source(store: FileStore, tmp_path: Path) -> None:
    source = tmp_path / "upload.pdf"
    source.write_bytes(b"%PDF upload")
    name = store.put_file(source, ".pdf", move=True)
    assert not source.exists()
    assert store.path_of(name).read_bytes() == b"%PDF upload"


def test_moving_in_a_file_already_stored_drops_the_duplicate(
    store: FileStore, tmp_path: Path
) -> None:
    name = store.put_bytes(b"dup", ".pdf")
    source = tmp_path / "dup.pdf"
    source.write_bytes(b"dup")
    assert store.put_file(source, ".pdf", move=True) == name
    assert not source.exists()
    assert store.path_of(name).read_bytes() == b"dup"


def test_moving_the_stored_copy_onto_itself_keeps_it(store: FileStore) -> None:
    name = store.put_bytes(b"keep", ".pdf")
    assert store.put_file(store.path_of(name), ".pdf", move=True) == name
    assert store.exists(name)


@pytest.mark.parametrize(
    "suffix", ["", "jpg", ".JPG", ".jpeg1x", "..jpg", ".j/g", ".jp g", "./..", ".jpg\n", ".é"]
)
def test_bad_suffixes_are_rejected(store: FileStore, suffix: str) -> None:
    with pytest.raises(ValueError):
        store.put_bytes(b"data", suffix)
    assert not store.root.exists()


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../../etc/passwd",
        "/etc/passwd",
        "g" * 64 + ".jpg",  # not hex
        "0" * 63 + ".jpg",
        "0" * 64,
        "0" * 64 + ".JPG",
        "0" * 64 + ".jpg/../../x",
        "../" + "0" * 64 + ".jpg",
        "0" * 64 + ".jpg\n",
        "0" * 64 + ".toolong",
    ],
)
def test_invalid_names_are_refused_without_touching_the_disk(store: FileStore, name: str) -> None:
    with pytest.raises(KeyError):
        store.path_of(name)
    with pytest.raises(KeyError):
        store.delete(name)
    assert not store.exists(name)


def test_a_valid_name_that_is_not_stored_is_missing(store: FileStore) -> None:
    name = "0" * 64 + ".jpg"
    with pytest.raises(KeyError):
        store.path_of(name)
    assert not store.exists(name)
    store.delete(name)  # missing is fine


def test_delete_removes_the_file(store: FileStore) -> None:
    name = store.put_bytes(b"gone soon", ".txt")
    store.delete(name)
    assert not store.exists(name)
    assert list(store.names()) == []


def test_names_lists_what_was_put_and_skips_strangers(store: FileStore) -> None:
    put = {store.put_bytes(f"file {n}".encode(), ".jpg") for n in range(5)}
    some = next(iter(put))
    # Leftovers of an interrupted write and foreign files are not stored names.
    (store.path_of(some).parent / ".abc.tmp").write_bytes(b"partial")
    (store.root / "README").write_text("not a stored file")
    assert set(store.names()) == put


def test_names_of_an_empty_store_is_empty(store: FileStore) -> None:
    assert list(store.names()) == []
