"""NCMEC CyberTipline reports: the report XML built from a decided case, a client for the
Reporting API's submit -> upload -> fileinfo -> finish sequence, and evidence preservation.

The XML follows the structure of the public CyberTipline Reporting API (``report`` with
``incidentSummary``, ``internetDetails``, ``reporter``, ``personOrUserReported`` and, per file,
``fileDetails`` with hashes). The client speaks HTTP Basic to a base URL the operator configures;
tests run it only against a local fake server. Reporting a case places a legal hold of one year on
its posts, account and signals (``legal_holds``), and ``purge`` never deletes held items. The case's rows,
the holds and the purge go through the store's enforcement area (``store.enforcement``).
"""

from __future__ import annotations

import base64
import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from csewatch.ingest.common import format_time
from csewatch.media.hashtypes import REGISTRY
from csewatch.model import MediaRef
from csewatch.store import Store

HOLD_SECONDS = 365 * 86400
INCIDENT_TYPE = "Child Pornography (possession, manufacture, and distribution)"


class CyberTiplineError(RuntimeError):
    """The API answered with a non-zero responseCode or an HTTP error."""


@dataclass
class Reporter:
    org_name: str
    first_name: str
    last_name: str
    email: str
    phone: str | None = None


def _iso(t: float | None) -> str:
    return format_time(t or time.time()) or format_time(time.time())


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def build_report_xml(store: Store, case_id: str, reporter: Reporter) -> tuple[str, list[dict]]:
    """The report XML for a case, and the files (media refs with hashes) to upload after it."""
    case, posts, authors, accounts = store.enforcement.report_material(case_id)
    root = ET.Element("report")
    summary = _sub(root, "incidentSummary")
    _sub(summary, "incidentType", INCIDENT_TYPE)
    _sub(summary, "incidentDateTime", _iso(case["first_seen"]))
    internet = _sub(root, "internetDetails")
    for p in posts:
        web = _sub(internet, "webPageIncident")
        _sub(web, "url", f"{case['platform']}:post:{p['id']}")
        _sub(web, "additionalInfo", f"posted {_iso(p['created_at'])} by user {p['author_id']}")
    rep = _sub(root, "reporter")
    person = _sub(rep, "reportingPerson")
    _sub(person, "firstName", reporter.first_name)
    _sub(person, "lastName", reporter.last_name)
    _sub(person, "email", reporter.email)
    if reporter.phone:
        _sub(person, "phone", reporter.phone)
    _sub(rep, "companyTemplate", reporter.org_name)
    for a in accounts or [{"id": u, "handle": None, "display_name": None} for u in authors]:
        reported = _sub(root, "personOrUserReported")
        _sub(reported, "espIdentifier", str(a["id"]))
        if a.get("handle"):
            _sub(reported, "screenName", a["handle"])
        if a.get("display_name"):
            _sub(reported, "displayName", a["display_name"])
        _sub(reported, "espService", case["platform"])
    _sub(
        root,
        "additionalInfo",
        f"csewatch case {case_id}, category {case['category']}, "
        f"{case['n_posts']} post(s); decided by a trained reviewer",
    )
    files = []
    for p in posts:
        for m in p["media"] or []:
            files.append(
                {
                    "post_id": p["id"],
                    "media_id": m.get("id"),
                    # every registered hash type: those a MediaRef carries always (None when unknown), others when there
                    **{k: m.get(k) for k in REGISTRY if m.get(k) or k in MediaRef.__struct_fields__},
                    "url": m.get("url"),
                }
            )
    return ET.tostring(root, encoding="unicode", xml_declaration=False), files


def fileinfo_xml(report_id: str, file_id: str, f: dict) -> str:
    root = ET.Element("fileDetails")
    _sub(root, "reportId", report_id)
    _sub(root, "fileId", file_id)
    _sub(root, "originalFileName", f"{f.get('media_id') or 'media'}")
    _sub(root, "publiclyAvailable", "false")
    for kind, ht in REGISTRY.items():  # the registered types NCMEC has a name for
        if ht.ncmec_name and f.get(kind):
            h = _sub(root, "fileAnnotations")
            _sub(h, "hashType", ht.ncmec_name)
            _sub(h, "hashValue", f[kind])
    return ET.tostring(root, encoding="unicode")


class CyberTiplineClient:
    def __init__(self, base_url: str, username: str, password: str, timeout_s: float = 30):
        self.base = base_url.rstrip("/")
        self.auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.timeout_s = timeout_s

    def _call(self, path: str, body: bytes, content_type: str) -> ET.Element:
        req = urllib.request.Request(
            f"{self.base}/{path}",
            data=body,
            method="POST",
            headers={"Authorization": self.auth, "Content-Type": content_type},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 - operator's URL
                doc = ET.fromstring(resp.read())
        except urllib.error.HTTPError as exc:
            raise CyberTiplineError(f"{path}: HTTP {exc.code}") from None
        code = doc.findtext("responseCode")
        if code != "0":
            raise CyberTiplineError(f"{path}: responseCode {code}: {doc.findtext('responseDescription')}")
        return doc

    def submit(self, report_xml: str) -> str:
        return self._call("submit", report_xml.encode(), "text/xml; charset=utf-8").findtext("reportId") or ""

    def upload(self, report_id: str, filename: str, data: bytes) -> str:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="id"\r\n\r\n{report_id}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self._call("upload", body, f"multipart/form-data; boundary={boundary}").findtext("fileId") or ""

    def fileinfo(self, xml: str) -> None:
        self._call("fileinfo", xml.encode(), "text/xml; charset=utf-8")

    def finish(self, report_id: str) -> None:
        self._call("finish", f"id={report_id}".encode(), "application/x-www-form-urlencoded")


def report_case(store: Store, client: CyberTiplineClient, case_id: str, reporter: Reporter, media_bytes=None) -> str:
    """Submit, upload each file (when ``media_bytes(file) -> bytes | None`` gives its bytes), describe
    it, finish; then hold the case's evidence for a year. Returns the CyberTipline report id."""
    xml, files = build_report_xml(store, case_id, reporter)
    report_id = client.submit(xml)
    for f in files:
        data = media_bytes(f) if media_bytes else None
        if data is None:
            continue
        file_id = client.upload(report_id, f"{f.get('media_id') or 'media'}", data)
        client.fileinfo(fileinfo_xml(report_id, file_id, f))
    client.finish(report_id)
    hold_case(store, case_id, f"CyberTipline report {report_id}")
    return report_id


def hold_case(store: Store, case_id: str, reason: str, seconds: float = HOLD_SECONDS) -> int:
    """Hold the case, its posts and an account case's account for ``seconds``; returns the holds placed."""
    return store.enforcement.hold_case(case_id, time.time() + seconds, reason)


def purge(store: Store, older_than: float) -> int:
    """Delete posts (and their signals) created before ``older_than``, except those under a legal hold."""
    return store.enforcement.purge_posts(older_than)
