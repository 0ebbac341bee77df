"""The built web UI (frontend/dist), served by the API process: one process serves everything."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from execbox.api.security_headers import PAGE_HEADERS

# HEAD as GET: uptime checks and `curl -I` ask with HEAD (uvicorn sends the head, not the body).
PAGE_METHODS = ["GET", "HEAD"]


def mount_web_ui(app: FastAPI, dist: Path) -> None:
    index = dist / "index.html"
    if not index.is_file():

        @app.api_route("/", methods=PAGE_METHODS, include_in_schema=False)
        async def not_built() -> JSONResponse:
            missing = f"The web UI is not built ({index} is missing): run `make setup`."
            return JSONResponse({"detail": f"{missing} The API schema is at /openapi.json."}, status_code=503)

        return

    app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    async def page() -> FileResponse:
        return FileResponse(index, headers=PAGE_HEADERS)

    # Exact routes, no catch-all: a catch-all GET would turn a wrong method on an API path into
    # a 404 of the UI, and unknown paths into the page.
    app.add_api_route("/", page, methods=PAGE_METHODS, include_in_schema=False)
    app.add_api_route("/s/{submission_id}", page, methods=PAGE_METHODS, include_in_schema=False)
    for file in sorted(dist.iterdir()):
        if file.is_file() and file != index:
            app.add_api_route(
                f"/{file.name}", _file_route(file), methods=PAGE_METHODS, include_in_schema=False
            )


def _file_route(file: Path) -> Callable[[], Awaitable[FileResponse]]:
    async def serve() -> FileResponse:
        return FileResponse(file)

    return serve
