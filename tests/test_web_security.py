"""The explorer's guard: foreign Host or Origin refused, JSON-only posts, size limits, uploads that are data
only (no file names, safe YAML), no request path reaching the file system, loopback by default."""

from __future__ import annotations

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from bmdsim.web.app import Settings, create_app  # noqa: E402
from bmdsim.web.service import MAX_UPLOAD_BYTES  # noqa: E402

BASE = "http://127.0.0.1:8000"
THREAT = {"missile": "Iran-IRBM", "from": "tabriz", "to": "berlin"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    static = tmp_path_factory.mktemp("static")
    (static / "index.html").write_text("<!doctype html><title>t</title>")
    (static / "app.js").write_text("console.log(1)")
    app = create_app(Settings(warm=False, worker=False, out_dir=tmp_path_factory.mktemp("explorer"),
                              static_dir=static))
    with TestClient(app, base_url=BASE) as c:
        yield c


# ------------------------------------------------------------------------------------------ Host, Origin
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io:8000", "testserver",
                                  "192.168.1.10:8000", ""])
def test_foreign_host_refused(client, host):
    """DNS rebinding: a page whose name resolves to 127.0.0.1 still sends its own name in Host."""
    for r in (client.get("/api/scenarios", headers={"host": host}),
              client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT}, headers={"host": host}),
              client.get("/", headers={"host": host})):
        assert r.status_code == 400
        assert r.json()["field"] == "Host"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"])
def test_loopback_names_accepted(client, host):
    assert client.get("/api/meta", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:9999", "https://127.0.0.1:8000",
                                    "null"])
def test_cross_origin_post_refused(client, origin):
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT}, headers={"origin": origin})
    assert r.status_code == 403 and r.json()["field"] == "Origin"
    r = client.get("/api/scenarios", headers={"origin": origin})
    assert r.status_code == 403


def test_same_origin_post_accepted(client):
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT},
                    headers={"origin": BASE, "sec-fetch-site": "same-origin"})
    assert r.status_code == 200


def test_cross_site_fetch_metadata_refused(client):
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT},
                    headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
def test_posts_must_be_json(client, ctype):
    """A form on another site can post text/plain or form data without a preflight; never JSON."""
    headers = {"content-type": ctype} if ctype else {}
    r = client.post("/api/engage", content=b'{"scenario": "epaa-phase-3"}', headers=headers)
    assert r.status_code == 415 and r.json()["field"] == "Content-Type"


# ------------------------------------------------------------------------------------------ sizes
def test_body_over_the_limit_refused(client):
    big = {"scenario_yaml": "#" * 600_000, **THREAT}
    r = client.post("/api/engage", json=big)
    assert r.status_code == 413 and r.json()["field"] == "body"


def test_chunked_body_over_the_limit_refused(client):
    def chunks():
        for _ in range(80):
            yield b" " * 10_000

    r = client.post("/api/scenarios/validate", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_upload_over_the_limit_refused(client):
    text = "name: big\n" + "# padding\n" * (MAX_UPLOAD_BYTES // 10 + 10)
    assert MAX_UPLOAD_BYTES < len(text) < 500_000  # under the body limit: the upload limit answers
    r = client.post("/api/scenarios/validate", json={"yaml": text})
    assert r.status_code == 413
    assert r.json()["field"] == "scenario_yaml" and f"{MAX_UPLOAD_BYTES:,}" in r.json()["detail"]
    r = client.post("/api/engage", json={"scenario_yaml": text, **THREAT})
    assert r.status_code == 413


# ------------------------------------------------------------------------------------------ uploads are data
def test_upload_may_not_extend_a_file(client, tmp_path):
    """A valid scenario file on disk: if the server read paths named by an upload, this would succeed."""
    import yaml

    from bmdsim.io.provenance import scenario_document
    from bmdsim.model.scenario import load_scenario

    f = tmp_path / "on-disk.yaml"
    f.write_text(yaml.safe_dump(scenario_document(load_scenario("epaa-phase-3"))))
    for ref in (str(f), "../../" + f.name, "on-disk.yaml", "/etc/passwd"):
        r = client.post("/api/scenarios/validate", json={"yaml": f"name: x\nextends: {ref}\n"})
        assert r.status_code == 422, ref
        assert r.json()["field"] == "scenario_yaml.extends"
        assert "built-in" in r.json()["detail"]


def test_upload_may_not_name_catalog_files(client):
    r = client.post("/api/scenarios/validate", json={"yaml": "name: x\nextends: epaa-phase-3\n"
                                                             "catalogs: [/etc/bmdsim/missiles.yaml]\n"})
    assert r.status_code == 422 and r.json()["field"] == "scenario_yaml.catalogs"


@pytest.mark.parametrize("text,needle", [
    ("name: !!python/object/apply:os.system ['echo hi']\n", "not allowed"),
    ("a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
     "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n", "values through aliases"),
    ("name: [unclosed\n", "not valid YAML"),
])
def test_upload_yaml_is_safe(client, text, needle):
    r = client.post("/api/scenarios/validate", json={"yaml": text})
    assert r.status_code == 422
    assert needle in r.json()["detail"]


# ------------------------------------------------------------------------------------------ file system
@pytest.mark.parametrize("path", ["/static/../app.py", "/static/..%2F..%2Fetc%2Fpasswd", "/static/%2e%2e/app.py",
                                  "/static//etc/passwd", "/static/cesium/../../app.py", "/static/.built"])
def test_static_paths_are_dictionary_keys(client, path):
    r = client.get(path)
    assert r.status_code == 404


def test_static_files_served_from_the_index(client):
    r = client.get("/static/app.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/api/jobs/1/files/..%2F..%2Fetc%2Fpasswd", "/api/jobs/1/files/summary.json",
                                  "/api/jobs/999999/files/report.html"])
def test_job_files_only_by_name_from_the_job(client, path):
    assert client.get(path).status_code in (404, 422)


def test_security_headers(client):
    r = client.get("/api/meta")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp
    assert "http" not in csp  # no other origin anywhere in the policy
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


# ------------------------------------------------------------------------------------------ serve
def test_serve_warns_when_not_on_loopback(monkeypatch, tmp_path, capsys):
    import uvicorn

    from bmdsim.cli import main
    from bmdsim.cli.serve import is_loopback
    from bmdsim.web import app as web_app

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setattr(web_app, "static_folder", lambda: tmp_path)
    (tmp_path / "index.html").write_text("x")
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123", "--out", str(tmp_path / "o"), "--no-warm"]) == 0
    assert "warning" in capsys.readouterr().err
    assert calls and calls[0]["host"] == "0.0.0.0"
    assert main(["serve", "--port", "8123", "--out", str(tmp_path / "o"), "--no-warm"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert calls[-1]["host"] == "127.0.0.1"  # loopback by default
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.2", "example.org", "::"))


def test_serve_bad_port_is_one_line(capsys, tmp_path):
    from bmdsim.cli import main

    assert main(["serve", "--port", "70000", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bmdsim: error: --port 70000") and err.count("\n") == 1
