"""Builds the FastAPI application: routes, error shapes, guards, rate limits, scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request
from starlette.responses import Response

from app import __version__
from app.server.config import ServerConfig
from app.server.conversion_worker import ConversionWorker
from app.server.database import Database
from app.server.errors import error_response, install_error_handlers, route_table
from app.server.feed_import import FeedImportWorker
from app.server.file_store import FileStore
from app.server.key_checker import KeyChecker
from app.server.rate_limit import RateLimiter, RateLimitMiddleware
from app.server.read_cache import ReadCache
from app.server.request_guards import BodyTooLarge, RequestGuards
from app.server.routes import (
    api_keys,
    changes,
    collections,
    conversions,
    files,
    groups,
    health,
    metatags,
    pages,
    product_feeds,
    publication_states,
    publications,
    spreads,
    uploads,
    viewer,
)
from app.server.scheduler import Scheduler
from app.server.write_context import IdempotentReplay


def create_app(config: ServerConfig, db: Database | None = None) -> FastAPI:
    """The API server. Migrations run here, before the first request can arrive."""
    database = db or Database(config.database_url)
    database.migrate()
    scheduler = Scheduler(
        database, config.scheduler_interval, timedelta(seconds=config.idempotency_ttl_seconds)
    )

    file_store = FileStore(config.files_dir)
    conversion_worker = ConversionWorker(database, config, file_store)
    feed_imports = FeedImportWorker(database, config, file_store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler.start()
        conversion_worker.start()
        feed_imports.start()
        try:
            yield
        finally:
            feed_imports.stop()
            conversion_worker.stop()
            scheduler.stop()

    app = FastAPI(
        title="Folio API",
        version=__version__,
        description="The publication platform's REST API v2, as served by Folio's bundled server.",
        lifespan=lifespan,
        # Swagger UI would load its scripts from a CDN; the spec itself is at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.config = config
    app.state.db = database
    app.state.scheduler = scheduler
    app.state.conversions = conversion_worker
    app.state.feed_imports = feed_imports
    app.state.files = file_store
    app.state.read_cache = ReadCache()
    app.state.key_checker = KeyChecker(database)
    install_error_handlers(app)

    @app.exception_handler(IdempotentReplay)
    async def _replay(_request: Request, exc: IdempotentReplay) -> Response:
        return exc.response

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_request: Request, exc: BodyTooLarge) -> Response:
        return error_response(
            413,
            {
                "error": f"Request body too large: the limit is {exc.limit} bytes",
                "code": "payload_too_large",
            },
        )

    modules = (
        health,
        groups,
        publications,
        publication_states,
        metatags,
        collections,
        conversions,
        pages,
        spreads,
        product_feeds,
        uploads,
        changes,
        api_keys,
        files,
        viewer,
    )
    for module in modules:
        app.include_router(module.router)
    app.state.route_table = route_table([module.router for module in modules])

    app.add_middleware(
        RequestGuards,
        max_body_bytes=config.max_body_bytes,
        large_bodies={"/v2/uploads": config.max_upload_bytes},
    )
    app.add_middleware(RateLimitMiddleware, limiter=RateLimiter(config.rate_limit))
    return app
