"""``folio sync`` run as a user runs it: the embedded server, a remote one with a key from
FOLIO_API_KEY, no key at all, a revoked key. Progress goes to stderr, the summary to stdout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.mirror.library import Library
from app.mirror.store import mirror_file
from tests.conftest import REPO, Tenant


def folio_sync(
    *args: str | Path, data_dir: Path, api_key: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``folio sync ARGS --data-dir D``, stdin not a terminal, no usable keyring."""
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("FOLIO_API_KEY", "FOLIO_SERVER_URL", "FOLIO_DATA_DIR"):
        env.pop(name, None)
    if api_key is not None:
        env["FOLIO_API_KEY"] = api_key
    return subprocess.run(
        [sys.executable, "-m", "app", "sync", *map(str, args), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("folio: ")
    return lines[0]


def test_sync_with_the_embedded_server_prints_the_summary(tmp_path: Path) -> None:
    result = folio_sync(data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    [summary] = result.stdout.strip().splitlines()
    assert summary.startswith("synced with the embedded server in ")
    assert "sent 0" in summary and "pending 0" in summary
    assert "receiving changes" in result.stderr  # progress on stderr, not stdout
    with Library.open(mirror_file(tmp_path / "mirrors", None)) as library:
        assert [g.data["title"] for g in library.groups()]
        assert library.status().last_status == "ok"


def test_sync_with_a_server_and_folio_api_key_fills_the_mirror(
    tenant: Tenant, tmp_path: Path
) -> None:
    titles = {tenant.create_publication(title)["id"]: title for title in ("North", "South")}
    result = folio_sync("--server", tenant.server.url, data_dir=tmp_path, api_key=tenant.key)
    assert result.returncode == 0, result.stderr
    [summary] = result.stdout.strip().splitlines()
    assert summary.startswith(f"synced with {tenant.server.url} in ")
    assert "receiving changes" in result.stderr and "receiving changes" not in result.stdout
    assert tenant.key not in result.stdout + result.stderr
    with Library.open(mirror_file(tmp_path / "mirrors", tenant.server.url)) as library:
        assert {p.id: p.data["title"] for p in library.publications()} == titles
        assert library.status().key_status == "ok"


def test_sync_without_any_key_fails_with_one_line_naming_folio_api_key(
    tenant: Tenant, tmp_path: Path
) -> None:
    result = folio_sync("--server", tenant.server.url, data_dir=tmp_path)
    line = _one_error_line(result)
    assert "FOLIO_API_KEY" in line and tenant.server.url in line


def test_sync_with_a_revoked_key_fails_with_one_line_saying_so(
    tenant: Tenant, tmp_path: Path
) -> None:
    created = tenant.api.post("/v2/api_keys", json={"api_key": {"name": "old", "scope": "read"}})
    assert created.status_code == 201, created.text
    old = created.json()["api_key"]
    assert tenant.api.delete(f"/v2/api_keys/{old['id']}").status_code == 204

    result = folio_sync("--server", tenant.server.url, data_dir=tmp_path, api_key=old["key"])
    line = _one_error_line(result)
    assert "revoked" in line and "refused" in line
    assert old["key"] not in line
