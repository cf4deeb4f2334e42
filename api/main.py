"""The API process: web chat page and JSON API, channel webhooks, eligibility, health.

Start-up: migrate the database, then in the background load OpenFisca and wait for Rasa. The API
answers at once; while Rasa is still starting, the chat says so in French.
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.booking.reminders import Reminders
from api.booking.service import BookingService
from api.conversations import ConversationService
from api.core.config import Settings, get_settings
from api.core.db import Database
from api.core.errors import UNEXPECTED, UnexpectedErrors, error, log_unexpected
from api.core.limits import RateLimits
from api.core.middleware import BodyLimitMiddleware
from api.core.rounds import run_rounds
from api.core.security import MissingSecret, Pseudonymiser, Vault
from api.core.shared import shared_state
from api.eligibility.errors import InvalidHousehold
from api.eligibility.service import EligibilityService
from api.faults import Breakers, FaultNotice
from api.gateway.runtime import ChannelRuntime
from api.rasa_client import RasaClient
from api.retention import keep_purging
from api.routes import chat, eligibility, health, internal, staff, staff_actions, staff_indicators
from api.staff import pages as staff_pages
from api.staff.access import StaffDenied
from api.territories import Territories
from api.trackers import Erasures, open_store
from channels.base import channel_routers
from channels.web import router as web
from knowledge import load

log = logging.getLogger("api")
ACTION_CODES_REFRESH_SECONDS = 60.0     # the fault notice learns a new poster's territory within a minute


async def _watch_readiness(app: FastAPI, announce: bool) -> None:
    """Keep the readiness flags fresh, and print the chat address once everything is up."""
    settings: Settings = app.state.settings
    announced = False
    while True:
        rasa_ready = await app.state.rasa.check_ready()
        if rasa_ready and app.state.eligibility.ready and not announced:
            announced = True
            if announce:
                from api.banner import print_banner
                print_banner(settings.public_base_url)
        await asyncio.sleep(2.0 if not announced else 10.0)


def create_app(settings: Settings | None = None, *, announce: bool = False,
               rasa_transport=None) -> FastAPI:  # noqa: ANN001
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        territories = Territories.load(settings.territories_dir)   # a broken file stops here, naming file and line
        db = Database(settings.database_url)
        await asyncio.to_thread(db.migrate)
        breakers = Breakers(settings.breaker_failures, settings.breaker_reset_seconds, ignore=(InvalidHousehold,))
        rasa = RasaClient(settings.rasa_replica_urls, settings.rasa_timeout_seconds, transport=rasa_transport,
                          auth_token=settings.rasa_auth_token, recheck_seconds=settings.rasa_recheck_seconds,
                          actions_url=settings.actions_url, probe_after=settings.dependency_probe_seconds,
                          probe_timeout=settings.dependency_probe_timeout_seconds, breakers=breakers)
        eligibility_service = EligibilityService(settings, territories)
        app.state.settings = settings
        app.state.db = db
        app.state.rasa = rasa
        app.state.breakers = breakers
        app.state.fault_notice = FaultNotice(territories, settings.default_territory)
        app.state.eligibility = eligibility_service
        erasures = app.state.erasures = Erasures(db, rasa, open_store(settings.tracker_store_url))
        try:
            vault: Vault | None = Vault(settings.data_encryption_key)
        except MissingSecret:
            vault = None
        shared = app.state.shared = shared_state(settings.redis_url, vault, settings.shared_key_prefix)
        app.state.conversations = ConversationService(
            db, rasa, Pseudonymiser(settings.pseudonym_key), settings.rasa_ready_wait_seconds, erasures, territories,
            shared=shared)
        app.state.limits = RateLimits(settings)
        channels = app.state.channels = ChannelRuntime(settings, db, app.state.conversations,
                                                       limits=app.state.limits, fault_notice=app.state.fault_notice)
        app.state.outbox = channels.outbox   # SMS and Telegram outbound; reminders enqueue here too
        app.state.territories = territories
        app.state.booking = BookingService(db, territories)
        app.state.reminders = Reminders(channels.outbox, app.state.booking)
        app.state.contacts = load("contacts")
        await channels.start()
        loading = (asyncio.create_task(asyncio.to_thread(eligibility_service.start))
                   if settings.eligibility_load else None)
        watcher = asyncio.create_task(_watch_readiness(app, announce))
        purging = asyncio.create_task(keep_purging(db, settings.retention_days, trackers=erasures))
        erasing = asyncio.create_task(erasures.run())
        codes = asyncio.create_task(run_rounds(lambda: app.state.fault_notice.refresh(db), asyncio.Event(),
                                               ACTION_CODES_REFRESH_SECONDS, log, "Action codes not refreshed",
                                               logging.WARNING))
        if announce:
            print("L'assistant démarre : chargement du moteur de calcul et du modèle de langue...", flush=True)
        try:
            yield
        finally:
            for task in (watcher, purging, erasing, codes):
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            await channels.aclose()
            if loading is not None:
                with suppress(Exception):
                    await loading
            await eligibility_service.aclose()
            await rasa.aclose()
            await shared.aclose()
            if erasures.store is not None:
                erasures.store.dispose()
            db.dispose()

    app = FastAPI(title="Territoires zéro non-recours", version="0.1.0", lifespan=lifespan,
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):  # noqa: ANN202
        return error(422, "La demande n'est pas valide. Vérifiez les champs envoyés.", str(exc.errors())[:500])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):  # noqa: ANN202
        if isinstance(exc, StaffDenied):
            return error(exc.status_code, str(exc.detail), exc.key)
        messages = {401: "Il faut être identifié pour cela.", 404: "Cette page n'existe pas.",
                    405: "Cette méthode n'est pas acceptée ici."}
        return error(exc.status_code, messages.get(exc.status_code, "La demande n'a pas abouti."), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):  # noqa: ANN202
        log_unexpected(log, exc)
        return error(503, *UNEXPECTED)

    # Outermost last: the body limit runs first, then the client address behind a trusted proxy.
    if settings.forwarded_allow_ips.strip():
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

    app.add_middleware(UnexpectedErrors)   # keep it the last one added: the outermost
    app.include_router(health.router)
    app.include_router(eligibility.router)
    app.include_router(chat.router)
    app.include_router(internal.router)
    app.include_router(staff.router)
    app.include_router(staff_actions.router)
    app.include_router(staff_indicators.router)
    app.include_router(staff_pages.router)
    app.include_router(web.router)
    for router in channel_routers():   # /webhooks/twilio, /webhooks/telegram
        app.include_router(router)
    return app
