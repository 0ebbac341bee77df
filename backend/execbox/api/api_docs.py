"""/docs (Swagger UI) and /redoc from files vendored into the UI build: nothing loads from a CDN.

The pages share the web UI's origin, and so its localStorage: they get the same CSP, and their
scripts are the pinned npm packages plus an init script of this package's, never inline ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from execbox.api.security_headers import PAGE_HEADERS

_STATIC = Path(__file__).with_name("api_docs_static")
# What `npm run build` copies from node_modules into dist/api-docs (frontend/vite.config.ts).
_VENDORED = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
_PAGES = {"/docs": "docs.html", "/redoc": "redoc.html"}


def mount_api_docs(app: FastAPI, dist: Path) -> None:
    vendored = dist / "api-docs"
    missing = next((vendored / name for name in _VENDORED if not (vendored / name).is_file()), None)
    if missing is not None:
        detail = (
            f"The API docs are not built ({missing} is missing): run `make setup`. "
            "The schema is at /openapi.json."
        )

        async def not_built() -> JSONResponse:
            return JSONResponse({"detail": detail}, status_code=503)

        for path in _PAGES:
            app.add_api_route(path, not_built, include_in_schema=False)
        return

    for path, page in _PAGES.items():
        app.add_api_route(path, _file_route(_STATIC / page, PAGE_HEADERS), include_in_schema=False)
    # Before the mount, which would otherwise answer 404 for them: routes are matched in order.
    for script in ("swagger-init.js", "redoc-init.js"):
        app.add_api_route(f"/api-docs/{script}", _file_route(_STATIC / script), include_in_schema=False)
    app.mount("/api-docs", StaticFiles(directory=vendored), name="api-docs")


def _file_route(
    file: Path, headers: Mapping[str, str] | None = None
) -> Callable[[], Awaitable[FileResponse]]:
    async def serve() -> FileResponse:
        return FileResponse(file, headers=headers)

    return serve
