"""The API process serves the built web UI: the page, its permalinks and its assets."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import StartApi


def _dist(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>execbox</title>")
    (root / "assets" / "app-1234.js").write_text("console.log('app')")
    (root / "favicon.svg").write_text("<svg/>")
    return root


def test_the_page_permalinks_and_assets_are_served(start_api: StartApi, tmp_path: Path) -> None:
    server = start_api(WEB_UI_DIR=str(_dist(tmp_path / "dist")))
    for path in ("/", "/s/AbC-123_x"):
        page = server.client.get(path)
        assert page.status_code == 200, path
        assert page.text == "<!doctype html><title>execbox</title>"
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-eval" not in policy
    asset = server.client.get("/assets/app-1234.js")
    assert asset.status_code == 200
    assert asset.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert server.client.get("/favicon.svg").text == "<svg/>"


def test_nothing_else_is_served_and_the_api_keeps_its_answers(start_api: StartApi, tmp_path: Path) -> None:
    server = start_api(WEB_UI_DIR=str(_dist(tmp_path / "dist")))
    for path in ("/s/a/b", "/index.htm", "/assets/../index.html", "/assets/missing.js", "/etc/passwd"):
        assert server.client.get(path).status_code == 404, path
    wrong_method = server.client.get("/api/v1/code/execute")
    assert wrong_method.status_code == 405
    assert server.client.get("/api/v1/runtime").status_code == 200


def test_a_missing_build_says_how_to_make_it(start_api: StartApi, tmp_path: Path) -> None:
    server = start_api(WEB_UI_DIR=str(tmp_path / "not-built"))
    response = server.client.get("/")
    assert response.status_code == 503
    assert "run `make setup`" in response.json()["detail"]


def test_head_is_answered_like_get_for_the_pages_and_health(start_api: StartApi, tmp_path: Path) -> None:
    server = start_api(WEB_UI_DIR=str(_dist(tmp_path / "dist")))
    for path in ("/", "/s/AbC-123_x", "/favicon.svg", "/assets/app-1234.js", "/health"):
        got, head = server.client.get(path), server.client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == str(len(got.content)), path
    assert server.client.head("/api/v1/code/execute").status_code == 405
