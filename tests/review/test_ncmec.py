"""CyberTipline report XML, the submit/upload/fileinfo/finish sequence against a local fake server,
legal hold and purge, signal sharing: store-backed ones on SQLite and PostgreSQL (``db_url``)."""

import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from csewatch.actions.ncmec import (
    CyberTiplineClient,
    CyberTiplineError,
    Reporter,
    build_report_xml,
    hold_case,
    purge,
    report_case,
)
from csewatch.pipeline import Scanner
from csewatch.policy import load_policy
from csewatch.store import Store

REPORTER = Reporter("Example Social", "Trust", "Safety", "tns@example.org")


class _FakeTipline(BaseHTTPRequestHandler):
    calls: list = []
    reject_submit = False

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        name = self.path.rsplit("/", 1)[-1]
        _FakeTipline.calls.append((name, self.headers["Authorization"], body))
        extra = ""
        code = "0"
        if name == "submit":
            ET.fromstring(body)  # must be well-formed
            code = "1000" if _FakeTipline.reject_submit else "0"
            extra = "<reportId>4242</reportId>"
        elif name == "upload":
            extra = f"<fileId>file{len(_FakeTipline.calls)}</fileId>"
        resp = (
            f"<reportResponse><responseCode>{code}</responseCode><responseDescription>"
            f"{'Success' if code == '0' else 'Bad report'}</responseDescription>{extra}</reportResponse>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        self.wfile.write(resp)

    def log_message(self, *args):
        pass


@pytest.fixture()
def tipline():
    _FakeTipline.calls = []
    server = HTTPServer(("127.0.0.1", 0), _FakeTipline)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/ispws"
    server.shutdown()


def _store(tmp_path, url: str | None = None):
    policy = load_policy()
    src = tmp_path / "s.jsonl"
    old = time.time() - 400 * 86400
    src.write_text(
        '{"type":"account","id":"seller","handle":"v_seller","display_name":"V"}\n'
        f'{{"type":"post","id":"1","author_id":"seller","text":"pthc vids 20$","created_at":{old},'
        '"media":[{"id":"m1","sha256":"' + "a" * 64 + '"}]}\n'
        f'{{"type":"post","id":"2","author_id":"someone","text":"nice weather","created_at":{old}}}\n'
    )
    store = Store(url or str(tmp_path / "n.db"), policy.version)
    Scanner(policy, store).scan([str(src)])
    return store


def test_report_xml_structure(tmp_path, db_url):
    store = _store(tmp_path, db_url)
    xml, files = build_report_xml(store, "native:account:seller", REPORTER)
    root = ET.fromstring(xml)
    assert root.tag == "report"
    assert root.findtext("incidentSummary/incidentType").startswith("Child Pornography")
    assert root.findtext("reporter/reportingPerson/email") == "tns@example.org"
    assert root.findtext("personOrUserReported/espIdentifier") == "seller"
    assert root.findtext("personOrUserReported/screenName") == "v_seller"
    assert files == [{"post_id": "1", "media_id": "m1", "sha256": "a" * 64, "pdq": None, "url": None}]
    with pytest.raises(KeyError, match="no case"):
        build_report_xml(store, "native:account:nobody", REPORTER)


def test_submit_sequence_hold_and_purge(tmp_path, tipline, db_url):
    store = _store(tmp_path, db_url)
    client = CyberTiplineClient(tipline, "esp-user", "esp-pass")
    report_id = report_case(store, client, "native:account:seller", REPORTER, media_bytes=lambda f: b"\xff\xd8 bytes")
    assert report_id == "4242"
    assert [c[0] for c in _FakeTipline.calls] == ["submit", "upload", "fileinfo", "finish"]
    assert all(c[1].startswith("Basic ") for c in _FakeTipline.calls)
    info = ET.fromstring(_FakeTipline.calls[2][2])
    assert info.findtext("reportId") == "4242" and info.findtext("fileAnnotations/hashValue") == "a" * 64
    # the reported post is held; the unrelated old post is purged
    assert purge(store, older_than=time.time() - 365 * 86400) == 1
    assert store.post("native", "1") is not None and store.post("native", "2") is None
    assert store.post_signals("native", "1")
    # a hold placed again replaces the earlier one: one that has run out no longer protects the post
    assert hold_case(store, "native:account:seller", "released", seconds=-1) == 3  # case, post, account
    assert purge(store, older_than=time.time() - 365 * 86400) == 1
    assert store.post("native", "1") is None and store.post_signals("native", "1") == []
    with pytest.raises(KeyError, match="no case"):
        hold_case(store, "native:account:nobody", "r")


def test_api_errors_are_raised(tmp_path, tipline):
    _FakeTipline.reject_submit = True
    try:
        with pytest.raises(CyberTiplineError, match="responseCode 1000"):
            CyberTiplineClient(tipline, "u", "p").submit("<report/>")
    finally:
        _FakeTipline.reject_submit = False


def test_signal_sharing_export(tmp_path, db_url):
    from csewatch.actions.sharing import collect_signals, to_csv
    from csewatch.review.decisions import ReviewService

    policy = load_policy()
    src = tmp_path / "s.jsonl"
    src.write_text(
        '{"type":"account","id":"seller","handle":"v_seller"}\n'
        '{"type":"post","id":"1","author_id":"seller","text":"pthc vids 20$ t.me/AbCdEf1",'
        '"media":[{"id":"m1","sha256":"' + "b" * 64 + '","pdq":"' + "c" * 64 + '"}]}\n'
        '{"type":"post","id":"2","author_id":"other","text":"pthc pack dm"}\n'
    )
    store = Store(db_url, policy.version)
    Scanner(policy, store).scan([str(src)])
    assert collect_signals(store) == []  # nothing decided yet, nothing shared
    ReviewService(store, policy).decide("native:account:seller", "alice", "violating", "advert")
    rows = collect_signals(store)
    assert [(r["signal_type"], r["signal_value"]) for r in rows] == [
        ("handle", "native:v_seller"),
        ("pdq", "c" * 64),
        ("sha256", "b" * 64),
        ("url", "t.me/abcdef1"),
    ]
    assert "service:telegram" in rows[-1]["tags"] and "category:advert_sale_trade" in rows[0]["tags"]
    assert to_csv(rows).splitlines()[0] == "signal_type,signal_value,status,tags"


def test_cli_report_ncmec(tmp_path, tipline, monkeypatch):
    from typer.testing import CliRunner

    from csewatch.cli import app
    from csewatch.review.decisions import ReviewService

    store = _store(tmp_path)
    db = str(tmp_path / "n.db")
    args = [
        "report-ncmec",
        "native:account:seller",
        "--url",
        tipline,
        "--username",
        "esp",
        "--org",
        "Example",
        "--first-name",
        "T",
        "--last-name",
        "S",
        "--email",
        "t@example.org",
        "--reviewer",
        "alice",
        "--db",
        db,
    ]
    runner = CliRunner()
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "decided violating" in r.output  # not decided yet
    ReviewService(store, load_policy()).decide("native:account:seller", "alice", "violating", "advert")
    r = runner.invoke(app, [*args, "--dry-run"])
    assert r.exit_code == 0 and r.output.startswith("<report>")
    monkeypatch.setenv("CSEWATCH_NCMEC_PASSWORD", "pw")
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "report 4242" in r.output
