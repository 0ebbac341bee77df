"""/docs and /redoc load only same-origin files, the vendored ones and this package's init scripts."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.conftest import StartApi

_VENDORED = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}


def _dist(root: Path) -> Path:
    (root / "api-docs").mkdir(parents=True)
    for name in _VENDORED:
        (root / "api-docs" / name).write_text(f"/* {name} */")
    return root


def test_the_pages_load_only_same_origin_files_under_the_csp(start_api: StartApi, tmp_path: Path) -> None:
    server = start_api(WEB_UI_DIR=str(_dist(tmp_path / "dist")))
    for page_path in ("/docs", "/redoc"):
        page = server.client.get(page_path)
        assert page.status_code == 200, page_path
        assert page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "unsafe-eval" not in policy
        assert re.search(r"<script>|<script [^>]*>[^<]", page.text) is None, "an inline script"
        references = re.findall(r"""(?:src|href)=["']([^"']*)["']""", page.text)
        assert len(references) >= 3, page.text
        for reference in references:
            assert reference.startswith("/") and not reference.startswith("//"), reference
            assert "cdn" not in reference and "http" not in reference, reference
            asset = server.client.get(reference)
            assert asset.status_code == 200, reference
            assert asset.headers["content-type"].startswith(_TYPES[Path(reference).suffix]), reference
    init = server.client.get("/api-docs/swagger-init.js").text
    assert "'/openapi.json'" in init
    assert "validatorUrl: null" in init


def test_the_default_cdn_pages_are_gone_and_the_schema_stays(start_api: StartApi, tmp_path: Path) -> None:
    server = start_api(WEB_UI_DIR=str(_dist(tmp_path / "dist")))
    for path in ("/docs/oauth2-redirect", "/api-docs/missing.js", "/api-docs/"):
        assert server.client.get(path).status_code == 404, path
    assert server.client.get("/openapi.json").json()["info"]["title"] == "execbox"


def test_missing_assets_say_how_to_build_them(start_api: StartApi, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "api-docs").mkdir(parents=True)
    (dist / "assets").mkdir()
    (dist / "index.html").write_text("<!doctype html><title>execbox</title>")
    server = start_api(WEB_UI_DIR=str(dist))
    for path in ("/docs", "/redoc"):
        response = server.client.get(path)
        assert response.status_code == 503, path
        detail = response.json()["detail"]
        assert detail.startswith(f"The API docs are not built ({dist / 'api-docs'}/"), detail
        assert detail.endswith("is missing): run `make setup`. The schema is at /openapi.json."), detail
    assert server.client.get("/").status_code == 200
