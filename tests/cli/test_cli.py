"""The command-line contract of DESIGN.md, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from app import __version__
from tests.conftest import REPO, start_server


def folio(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app", *args]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)


def test_version() -> None:
    result = folio("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"folio {__version__}"


def test_keys_create_prints_the_key_alone_on_the_last_line(tmp_path: Path) -> None:
    result = folio("keys", "create", "--account", "acme", "--name", "laptop", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("folio_") and " " not in key and len(key) > 40
    listing = folio("keys", "list", data_dir=tmp_path)
    assert "laptop" in listing.stdout and "active" in listing.stdout
    assert key not in listing.stdout, "a key is shown only once"


def test_keys_revoke_and_unknown_id(tmp_path: Path) -> None:
    folio("keys", "create", "--account", "acme", data_dir=tmp_path)
    assert folio("keys", "revoke", "1", data_dir=tmp_path).returncode == 0
    assert "revoked" in folio("keys", "list", data_dir=tmp_path).stdout
    missing = folio("keys", "revoke", "99", data_dir=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "99" in missing.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert folio("keys", "create", data_dir=tmp_path).returncode == 2
    assert (
        folio("keys", "create", "--account", "a", "--scope", "root", data_dir=tmp_path).returncode
        == 2
    )


def test_groups_create_prints_json(tmp_path: Path) -> None:
    result = folio(
        "groups", "create", "--account", "acme", "--title", "Spring Catalogues", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    group = json.loads(result.stdout)["group"]
    assert group["slug"] == "spring-catalogues" and group["publication_count"] == 0


def test_cli_key_and_group_work_against_a_running_server(tmp_path: Path) -> None:
    key = (
        folio("keys", "create", "--account", "acme", data_dir=tmp_path)
        .stdout.strip()
        .splitlines()[-1]
    )
    group = json.loads(
        folio("groups", "create", "--account", "acme", "--title", "G", data_dir=tmp_path).stdout
    )
    live = start_server(tmp_path, "--scheduler-interval", "0")
    try:
        groups = requests.get(
            f"{live.url}/v2/groups", headers={"Authorization": f"ApiKey {key}"}, timeout=10
        )
        assert [g["id"] for g in groups.json()["groups"]] == [group["group"]["id"]]
        folio("keys", "revoke", "1", data_dir=tmp_path)
        revoked = requests.get(
            f"{live.url}/v2/groups", headers={"Authorization": f"ApiKey {key}"}, timeout=10
        )
        assert revoked.status_code == 401, (
            "revocation from the CLI takes effect on the next request"
        )
    finally:
        live.stop()


def test_accounts_limit(tmp_path: Path) -> None:
    folio("keys", "create", "--account", "acme", data_dir=tmp_path)
    assert (
        folio(
            "accounts", "limit", "--account", "acme", "--online-limit", "3", data_dir=tmp_path
        ).returncode
        == 0
    )
    bad = folio(
        "accounts", "limit", "--account", "nobody", "--online-limit", "3", data_dir=tmp_path
    )
    assert bad.returncode == 1 and "nobody" in bad.stderr


def test_logs_go_to_a_file_in_the_log_dir(tmp_path: Path) -> None:
    folio("keys", "create", "--account", "acme", data_dir=tmp_path)
    assert (tmp_path / "logs" / "folio.log").exists()
