"""Bad sources, cancels and crashes end in a clear conversion state, never a hung job, and the
publication keeps what it had."""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import Any

import pytest

from tests.conftest import (
    SHARED,
    LiveServer,
    PdfSite,
    Tenant,
    make_tenant,
    upload,
    wait_for_conversion,
)
from tests.sample_pdfs import ZERO_PAGE_PDF, catalogue_pdf, plain_pdf

CORPUS = SHARED / "corpus"


def _corpus(name: str) -> bytes:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file {name} is not available")
    return path.read_bytes()


def _failed_reason(tenant: Tenant, source_url: str) -> str:
    publication = tenant.create_publication("Broken", source_url=source_url)
    conversion = wait_for_conversion(tenant.api, tenant.group_id, publication["id"])
    assert conversion["state"] == "failed", conversion
    current = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    ).json()["publication"][0]
    assert current["page_count"] == 0
    assert current["cover_url"] is None
    return conversion["state_details"]["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("nonpdf-word97-renamed.pdf", "not a PDF"),
        ("poppler-85140-0.pdf", "damaged"),
        ("libreoffice-writer-password.pdf", "password"),
    ],
)
def test_corpus_files_that_cannot_convert_fail_with_a_reason(
    converting_tenant: Tenant, source: str, words: str
) -> None:
    reason = _failed_reason(converting_tenant, upload(converting_tenant.api, _corpus(source)))
    assert words.lower() in reason.lower()


def test_a_pdf_without_pages_fails(converting_tenant: Tenant) -> None:
    reason = _failed_reason(converting_tenant, upload(converting_tenant.api, ZERO_PAGE_PDF))
    assert "no pages" in reason.lower()


def test_a_repaired_pdf_converts(converting_tenant: Tenant) -> None:
    source_url = upload(converting_tenant.api, _corpus("issue6069.pdf"))
    publication = converting_tenant.create_publication("Repaired", source_url=source_url)
    conversion = wait_for_conversion(
        converting_tenant.api, converting_tenant.group_id, publication["id"]
    )
    assert conversion["state"] == "finished", conversion
    assert conversion["total_pages"] == 1


def test_an_unreachable_source_fails_with_the_documented_phrase(
    converting_tenant: Tenant,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reason = _failed_reason(converting_tenant, f"http://127.0.0.1:{port}/winter.pdf")
    assert reason.startswith("Fail to download given source file: http://127.0.0.1")


def test_a_missing_source_fails_with_the_http_status(
    converting_tenant: Tenant, pdf_site: PdfSite
) -> None:
    reason = _failed_reason(converting_tenant, pdf_site.url + "/nothing-here.pdf")
    assert "404" in reason


def test_another_accounts_upload_is_refused_at_once(converting_tenant: Tenant) -> None:
    stranger = make_tenant(converting_tenant.server)
    source_url = upload(stranger.api, plain_pdf(1))
    response = converting_tenant.api.post(
        f"/v2/groups/{converting_tenant.group_id}/publications",
        json={"publication": {"title": "Not mine", "source_url": source_url}},
    )
    assert response.status_code == 422
    assert "upload" in response.json()["errors"]["source_url"][0]


def test_an_upload_path_on_another_host_is_fetched_not_read_locally(
    converting_tenant: Tenant,
) -> None:
    upload(converting_tenant.api, plain_pdf(1))
    reason = _failed_reason(converting_tenant, "http://cdn.folio-test.invalid/v2/uploads/1")
    assert reason.startswith("Fail to download given source file")


def test_an_upload_is_served_back_to_its_account_only(converting_tenant: Tenant) -> None:
    data = plain_pdf(1)
    source_url = upload(converting_tenant.api, data)
    path = source_url.removeprefix(converting_tenant.server.url)
    assert converting_tenant.api.get(path).content == data
    assert make_tenant(converting_tenant.server).api.get(path).status_code == 404


def test_a_raw_body_upload_works_and_an_empty_one_is_refused(converting_tenant: Tenant) -> None:
    data = plain_pdf(1)
    response = converting_tenant.api.post(
        "/v2/uploads", data=data, headers={"Content-Type": "application/pdf"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["upload"]["size"] == len(data)
    empty = converting_tenant.api.post(
        "/v2/uploads", data=b"", headers={"Content-Type": "application/pdf"}
    )
    assert empty.status_code == 400


def test_an_upload_over_the_limit_is_413(server_factory: Any) -> None:
    live: LiveServer = server_factory("--max-upload-bytes", "1000", "--conversion-processes", "0")
    tenant = make_tenant(live)
    response = tenant.api.post(
        "/v2/uploads", data=b"%PDF-" + b"x" * 5000, headers={"Content-Type": "application/pdf"}
    )
    assert response.status_code == 413


def test_a_read_key_cannot_upload(converting_tenant: Tenant) -> None:
    from app.core.enums import KeyScope

    reader = converting_tenant.key_with_scope(KeyScope.READ)
    assert reader.post("/v2/uploads", data=b"%PDF-1.4").status_code == 403


def test_canceling_while_downloading_stops_the_download(
    converting_tenant: Tenant, pdf_site: PdfSite
) -> None:
    # About 40 s to download at this pace: only a cancel that reaches the download ends it soon.
    url = pdf_site.add("/slow.pdf", catalogue_pdf() + b"\0" * 40_000, delay_per_4k=4.0)
    publication = converting_tenant.create_publication("Slow", source_url=url)
    base = f"/v2/groups/{converting_tenant.group_id}/publications/{publication['id']}"
    conversion = _wait_for_state(converting_tenant, publication["id"], "preparing", timeout=30)
    response = converting_tenant.api.post(f"{base}/conversions/{conversion['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["conversion"]["state"] == "canceled"

    started = time.monotonic()
    follower = converting_tenant.create_publication(
        "Next in line", source_url=upload(converting_tenant.api, plain_pdf(1))
    )
    done = wait_for_conversion(
        converting_tenant.api, converting_tenant.group_id, follower["id"], timeout=30
    )
    assert done["state"] == "finished"
    assert time.monotonic() - started < 15
    final = converting_tenant.api.get(f"{base}/conversions/{conversion['id']}").json()
    assert final["conversion"]["state"] == "canceled"
    assert converting_tenant.api.get(base).json()["publication"][0]["page_count"] == 0


def test_canceling_while_converting_keeps_the_previous_pages(converting_tenant: Tenant) -> None:
    publication = converting_tenant.create_publication(
        "Kept", source_url=upload(converting_tenant.api, plain_pdf(2))
    )
    wait_for_conversion(converting_tenant.api, converting_tenant.group_id, publication["id"])
    base = f"/v2/groups/{converting_tenant.group_id}/publications/{publication['id']}"
    response = converting_tenant.api.post(
        f"{base}/pages", json={"source_url": upload(converting_tenant.api, plain_pdf(150))}
    )
    conversion = _wait_for_state(converting_tenant, publication["id"], "converting", timeout=60)
    assert conversion["id"] == response.json()["conversion"]["id"]
    canceled = converting_tenant.api.post(f"{base}/conversions/{conversion['id']}/cancel")
    assert canceled.status_code == 200
    final = wait_for_conversion(
        converting_tenant.api, converting_tenant.group_id, publication["id"], conversion["id"]
    )
    assert final["state"] == "canceled"
    assert final["converted_pages"] < 150
    assert converting_tenant.api.get(base).json()["publication"][0]["page_count"] == 2


def test_canceling_a_finished_conversion_is_a_conflict(converting_tenant: Tenant) -> None:
    publication = converting_tenant.create_publication(
        "Done", source_url=upload(converting_tenant.api, plain_pdf(1))
    )
    conversion = wait_for_conversion(
        converting_tenant.api, converting_tenant.group_id, publication["id"]
    )
    response = converting_tenant.api.post(
        f"/v2/groups/{converting_tenant.group_id}/publications/{publication['id']}"
        f"/conversions/{conversion['id']}/cancel"
    )
    assert response.status_code == 409


def _wait_for_state(
    tenant: Tenant, publication_id: int, wanted: str, timeout: float
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    path = f"/v2/groups/{tenant.group_id}/publications/{publication_id}/conversions"
    while time.monotonic() < deadline:
        conversion = tenant.api.get(path).json()["conversions"][0]
        if conversion["state"] == wanted and (
            wanted != "converting" or conversion["converted_pages"] > 0
        ):
            return conversion  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"conversion never reached {wanted}")


def _conversion_row(live: LiveServer, conversion_id: int) -> tuple[str, int]:
    from app.server.models import Conversion

    with live.db.read() as session:
        row = session.get_one(Conversion, conversion_id)
        return row.state, row.attempts


PAGES_TO_KILL = 400


@pytest.mark.parametrize("how", ["kill", "sigterm-to-group"])
def test_a_server_killed_mid_conversion_resumes_it_after_restart(
    server_factory: Any, how: str
) -> None:
    live: LiveServer = server_factory("--conversion-processes", "1")
    tenant = make_tenant(live)
    # Long enough to be still converting when the kill lands, even on a fast machine.
    source_url = upload(tenant.api, plain_pdf(PAGES_TO_KILL))
    publication = tenant.create_publication("Big", source_url=source_url)
    running = _wait_for_state(tenant, publication["id"], "converting", timeout=60)
    if how == "kill":
        live.kill()
    else:
        # What a service manager does: SIGTERM to the server and its rendering processes.
        os.killpg(live.process.pid, signal.SIGTERM)
        live.process.wait(timeout=30)
    assert _conversion_row(live, running["id"]) == ("converting", 1)

    restarted: LiveServer = server_factory.restart(live, "--conversion-processes", "2")
    tenant.api.base = restarted.url
    conversion = wait_for_conversion(tenant.api, tenant.group_id, publication["id"], timeout=180)
    assert conversion["state"] == "finished", conversion
    assert conversion["converted_pages"] == PAGES_TO_KILL
    assert _conversion_row(restarted, running["id"]) == ("finished", 2)
    current = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    ).json()["publication"][0]
    assert current["page_count"] == PAGES_TO_KILL


def test_a_server_on_a_public_address_refuses_private_sources(
    server_factory: Any, pdf_site: PdfSite
) -> None:
    live: LiveServer = server_factory("--host", "0.0.0.0", "--conversion-processes", "1")
    tenant = make_tenant(live)
    url = pdf_site.add("/private.pdf", plain_pdf(1))
    reason = _failed_reason(tenant, url)
    assert "private or local network" in reason


def test_a_server_stopped_mid_conversion_resumes_it_after_restart(server_factory: Any) -> None:
    live: LiveServer = server_factory("--conversion-processes", "1")
    tenant = make_tenant(live)
    publication = tenant.create_publication("Big", source_url=upload(tenant.api, plain_pdf(120)))
    _wait_for_state(tenant, publication["id"], "converting", timeout=60)

    restarted: LiveServer = server_factory.restart(live, "--conversion-processes", "1")
    tenant.api.base = restarted.url
    conversion = wait_for_conversion(tenant.api, tenant.group_id, publication["id"], timeout=180)
    assert conversion["state"] == "finished", conversion
