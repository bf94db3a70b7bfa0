"""Eight threads creating and updating at once lose no write and duplicate no slug or id."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Api, Tenant

THREADS = 8
PER_THREAD = 12


def test_parallel_creates_and_updates_lose_nothing(tenant: Tenant) -> None:
    g = tenant.group_id

    def work(worker: int) -> list[tuple[int, str]]:
        api = Api(tenant.server.url, tenant.key)  # one connection pool per thread
        done = []
        for n in range(PER_THREAD):
            # Same title everywhere: slugs must still come out unique.
            created = api.post(
                f"/v2/groups/{g}/publications",
                json={"publication": {"title": "Hot Title", "source_url": "http://x/y.pdf"}},
            )
            assert created.status_code == 201, created.text
            publication_id = created.json()["publication"]["id"]
            title = f"worker {worker} item {n}"
            updated = api.put(
                f"/v2/groups/{g}/publications/{publication_id}",
                json={"publication": {"title": title}},
            )
            assert updated.status_code == 200, updated.text
            done.append((publication_id, title))
        return done

    with ThreadPoolExecutor(THREADS) as pool:
        results = [item for batch in pool.map(work, range(THREADS)) for item in batch]

    listed = tenant.api.get(f"/v2/groups/{g}/publications").json()["publications"]
    assert len(results) == THREADS * PER_THREAD
    assert len({p["id"] for p in listed}) == len(listed) == THREADS * PER_THREAD
    assert len({p["slug"] for p in listed}) == len(listed)
    titles = {p["id"]: p["title"] for p in listed}
    assert all(titles[pid] == title for pid, title in results), "an update was lost"
    feed = tenant.api.get("/v2/changes", params={"since": 0, "limit": 1000}).json()["changes"]
    seqs = [c["seq"] for c in feed]
    assert seqs == sorted(set(seqs)), "change-feed seqs must be unique and increasing"
