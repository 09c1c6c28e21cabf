"""End to end in a real browser: Playwright driving Debian's Chromium against `csewatch serve`'s app
on localhost. Log in, open the top case, reveal a media item (audited), decide, and see the
enforcement action in the sink and the precision update on the dashboard."""

import json
import shutil
import socket
import threading
import time

import pytest

from csewatch.actions.sinks import JsonlSink
from csewatch.pipeline import Scanner
from csewatch.policy import load_policy
from csewatch.review.audit import AuditLog
from csewatch.store import Store
from csewatch.web.app import create_app
from csewatch.web.auth import Auth

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(tmp_path):
    import uvicorn

    policy = load_policy()
    src = tmp_path / "s.jsonl"
    src.write_text(
        '{"type":"post","id":"1","author_id":"seller","text":"pthc vids 20$ t.me/xyzabc1",'
        '"media":[{"id":"m1","sha256":"' + "e" * 64 + '"}]}\n'
        '{"type":"post","id":"2","author_id":"other","text":"a quiet day at the lake"}\n'
    )
    store = Store(str(tmp_path / "e2e.db"), policy.version)
    Scanner(policy, store).scan([str(src)])
    Auth(store).add_user("alice", "correct horse battery staple", "reviewer")
    sink = tmp_path / "actions.jsonl"
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(store, policy, [JsonlSink(sink)]), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store, sink
    srv.should_exit = True
    thread.join(timeout=5)


def test_review_in_a_browser(server):
    base, store, sink = server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/")
        assert page.url.endswith("/login")
        page.fill("input[name=name]", "alice")
        page.fill("input[name=password]", "correct horse battery staple")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.click("#queue a.case-link >> nth=0")
        page.wait_for_selector("#decide")
        media = page.locator("[data-testid=media]").first
        assert "revealed" not in (media.get_attribute("class") or "")
        page.click("button.reveal")
        page.wait_for_selector("[data-testid=media].revealed")
        assert any(e["action"] == "reveal_media" for e in AuditLog(store).entries())
        page.keyboard.press("v")  # the shortcut for "violating" focuses the rationale
        page.keyboard.type("advert with a price and an invite link")
        page.click("#decide button[type=submit]")
        page.wait_for_function("document.querySelector('#state').textContent === 'actioned'")
        kinds = sorted(json.loads(line)["kind"] for line in sink.read_text().splitlines())
        assert kinds == ["remove_post", "restrict_link", "suspend_account"]
        page.click("text=Dashboard")
        row = page.locator("#precision tr", has_text="advert.explicit_term")
        assert "1.000" in row.inner_text()
        browser.close()
    assert AuditLog(store).verify().ok
