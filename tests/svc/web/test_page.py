"""The web chat page: routes, security headers, the friendly 404, and static checks of the page's
HTML, CSS and JS (no browser here: tests/e2e/test_browser.py drives a real one)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channels.web.router import CSP, STATIC_DIR, router

EXPECTED_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
PAGES = ["index.html", "notfound.html"]


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


def assert_secured(response) -> None:  # noqa: ANN001
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_policy_is_the_strict_one():
    assert CSP == EXPECTED_CSP
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP and "*" not in CSP
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"


def test_home_serves_the_chat_page_under_the_csp(client: TestClient):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert_secured(response)
    assert 'role="log"' in response.text
    assert "Vos droits, on regarde ensemble" in response.text


@pytest.mark.parametrize("code", ["MARCHE-12", "hall_B", "a", "x" * 64, "2024-10-marche-sud"])
def test_an_outreach_code_serves_the_same_page(client: TestClient, code: str):
    response = client.get(f"/c/{code}")
    assert response.status_code == 200
    assert_secured(response)
    assert response.content == client.get("/").content


@pytest.mark.parametrize("path", [
    "/c/", "/c/" + "x" * 65, "/c/marché", "/c/a%20b", "/c/a.b", "/c/a/b", "/c/%3Cscript%3E", "/c/a%00",
    "/c/MARCHE-12/",
])
def test_a_bad_code_gets_a_friendly_french_404(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert_secured(response)
    assert '<html lang="fr">' in response.text
    assert "Cette adresse ne marche pas" in response.text
    assert 'href="/"' in response.text
    # the same fixed page whatever the code: nothing of the address is echoed into it
    assert response.content == (STATIC_DIR / "notfound.html").read_bytes()


@pytest.mark.parametrize("name, media_type", [
    ("chat.js", "text/javascript"), ("chat.css", "text/css"), ("icon.svg", "image/svg+xml"),
])
def test_static_files_are_served_with_their_type(client: TestClient, name: str, media_type: str):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (STATIC_DIR / name).read_bytes()


def test_static_files_revalidate_with_an_etag(client: TestClient):
    first = client.get("/static/chat.js")
    etag = first.headers["etag"]
    again = client.get("/static/chat.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    changed = client.get("/static/chat.js", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == first.content


@pytest.mark.parametrize("path", [
    "/static/nothing.js", "/static/../router.py", "/static/..%2Frouter.py", "/static/%2e%2e/router.py",
    "/static/", "/static/index.html",
])
def test_only_the_static_files_are_reachable(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert "APIRouter" not in response.text


def test_head_requests_are_answered(client: TestClient):
    assert client.head("/c/MARCHE-12").status_code == 200
    assert client.head("/static/chat.css").status_code == 200


# ---- static checks of the page itself --------------------------------------------------------------

class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):  # noqa: ANN001
        if self._in_script and data.strip():
            self.script_text.append(data)


def parse(name: str) -> _Collector:
    collector = _Collector()
    collector.feed((STATIC_DIR / name).read_text(encoding="utf-8"))
    return collector


@pytest.mark.parametrize("name", PAGES)
def test_pages_are_french_and_never_lock_zoom(name: str):
    page = parse(name)
    html = [attrs for tag, attrs in page.tags if tag == "html"]
    assert html == [{"lang": "fr"}]
    viewports = [attrs["content"] for tag, attrs in page.tags if tag == "meta" and attrs.get("name") == "viewport"]
    assert len(viewports) == 1
    viewport = viewports[0].replace(" ", "").lower()
    assert "width=device-width" in viewport
    assert "maximum-scale" not in viewport and "user-scalable" not in viewport and "minimum-scale" not in viewport


@pytest.mark.parametrize("name", PAGES)
def test_pages_have_nothing_inline_that_the_csp_would_block(name: str):
    page = parse(name)
    assert page.script_text == [], "inline script"
    assert all(tag != "style" for tag, _ in page.tags), "inline <style>"
    for tag, attrs in page.tags:
        assert "style" not in attrs, f"style attribute on <{tag}>"
        assert not [a for a in attrs if a.startswith("on")], f"event handler attribute on <{tag}>"
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/")
        for attr in ("src", "href"):
            value = attrs.get(attr)
            if value is not None:
                assert value.startswith("/") or value.startswith("#"), f"external or relative {attr}: {value}"
                assert not value.startswith("//")
                if value.startswith("/static/"):
                    assert (STATIC_DIR / value.removeprefix("/static/")).is_file(), value


def test_the_page_has_the_controls_the_issue_asks_for():
    page = parse("index.html")
    by_id = {attrs.get("id"): (tag, attrs) for tag, attrs in page.tags if attrs.get("id")}
    assert by_id["log"][1].get("role") == "log"
    assert by_id["status"][1].get("role") == "status"
    assert by_id["error"][1].get("role") == "alert"
    assert by_id["message"][0] == "input"
    labels = [attrs for tag, attrs in page.tags if tag == "label"]
    assert {"for": "message", "class": "label"} in labels
    assert by_id["send"] == ("button", {"type": "submit", "id": "send", "class": "send"})
    assert by_id["human"][0] == "button" and by_id["restart"][0] == "button"
    text = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert "Ceci est un assistant automatique. Une personne peut vous aider :" in text
    assert "Recommencer" in text


def _js_without_comments() -> str:
    source = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", source)


@pytest.mark.parametrize("sink", [
    "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "writeln", "eval(", "new Function",
    "createContextualFragment", "DOMParser", "srcdoc", "setHTML", "parseHTMLUnsafe",
])
def test_the_script_never_turns_text_into_html(sink: str):
    assert sink not in _js_without_comments()


def test_the_script_writes_text_with_text_nodes():
    js = _js_without_comments()
    assert "textContent" in js and "createTextNode" in js
    # timers take functions, never strings of code
    for call in re.findall(r"setTimeout\(([^,]*)", js):
        assert not call.strip().startswith(("'", '"', "`")), call


def test_the_script_keeps_its_promises_to_the_api():
    js = _js_without_comments()
    assert '"/api/chat"' in js and '"/messages"' in js
    assert "client_message_id" in js
    assert "sessionStorage" in js
    assert "Connexion perdue, nouvel essai…" in js
    assert "/ask_human" in js


def test_no_asset_reaches_outside():
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        urls = re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}", text)
        # the only absolute address allowed is the SVG namespace
        assert set(urls) <= {"http://www.w3.org"}, (path.name, urls)
        assert "@import" not in text and "@font-face" not in text, path.name


def test_css_respects_reduced_motion_and_has_a_visible_focus():
    css = (STATIC_DIR / "chat.css").read_text(encoding="utf-8")
    assert "@media (prefers-reduced-motion: reduce)" in css
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid", css)
    # outlines are removed only where :focus-visible draws one instead
    allowed = [":focus:not(:focus-visible) { outline: none; }",
               ".msg:focus, .msg:focus-visible { outline: none; box-shadow: none; }"]
    for rule in allowed:
        css = css.replace(rule, "")
    assert "outline: none" not in css and "outline:none" not in css and "outline: 0" not in css
    assert re.search(r"\.msg:focus-visible \.bubble \{ outline: 3px solid", css)


def test_every_static_file_is_in_the_served_set():
    from channels.web.router import ASSETS
    on_disk = {p.name for p in Path(STATIC_DIR).iterdir() if p.is_file()}
    assert on_disk == set(ASSETS)
