"""The ASGI application: routes under /api/v1, /health, error handling and the body limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from execbox import __version__
from execbox.api import errors
from execbox.api.api_docs import mount_api_docs
from execbox.api.body_limit import BodySizeLimit
from execbox.api.front_door import HostAllowList, TrustedHosts
from execbox.api.lifespan import running_services
from execbox.api.published_schema import publish_bounds
from execbox.api.refusal_limit import RefusalLimit
from execbox.api.responses import ANY_API_REQUEST, problem_responses
from execbox.api.routes import accounts, code, health, metrics, runtime, stream
from execbox.api.web_ui import mount_web_ui
from execbox.services.rate_limit import RateLimiter
from execbox.settings import Settings, get_settings

API_PREFIX = "/api/v1"
# The endpoints whose body is a run, which may carry input files.
_RUN_PATHS = tuple(f"{API_PREFIX}/code/{name}" for name in ("execute", "submit", "submissions"))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_services(settings) as services:
            app.state.services = services
            yield

    app = FastAPI(
        title="execbox",
        version=__version__,
        summary="Run Python with numpy, pandas and scipy in a kernel sandbox, in milliseconds.",
        lifespan=lifespan,
        debug=settings.DEBUG,
        docs_url=None,  # both served by mount_api_docs, from vendored files under the CSP
        redoc_url=None,
        # A redirect would be built from the request's Host: wrong paths get a 404 instead.
        redirect_slashes=False,
    )
    api = APIRouter(prefix=API_PREFIX, responses=problem_responses(*ANY_API_REQUEST))
    api.include_router(code.router)
    api.include_router(stream.router)
    api.include_router(runtime.router)
    if settings.ACCOUNTS_ENABLED:
        api.include_router(accounts.router)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(metrics.router)
    publish_bounds(app, settings)
    mount_api_docs(app, settings.WEB_UI_DIR)
    mount_web_ui(app, settings.WEB_UI_DIR)  # last: its catch-all route must not shadow the API
    errors.install(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.MAX_REQUEST_BYTES,
        max_bytes_at={
            f"{API_PREFIX}/code/shares": settings.MAX_SHARE_BYTES,
            # Runs may carry input files (submissions refuse them, with a 422 that says why).
            **dict.fromkeys(_RUN_PATHS, settings.run_body_bytes),
        },
    )
    refusals = None
    if settings.RATE_LIMIT_ENABLED:
        refusals = RateLimiter(
            settings.REFUSAL_RATE_LIMIT, settings.REDIS_URL, counts="refused requests", reason="refusal_limit"
        )
    app.add_middleware(RefusalLimit, limiter=refusals, secret_key=settings.SECRET_KEY, prefix=API_PREFIX)
    app.add_middleware(TrustedHosts, hosts=HostAllowList(settings.ALLOWED_HOSTS))  # outermost
    return app
