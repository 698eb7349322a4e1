"""download.fetch: mirror lookup, gz decompression, sha256 of raw bytes, no output on failure; Kaggle request."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import os
from pathlib import Path

import pytest

from mixseq.data import download
from mixseq.data.download import ChecksumError, CredentialsError, fetch

MIRROR = Path(os.environ.get("MIXSEQ_MIRROR", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
STORE_SHA = "f56bd124a2849489e6bbb5c000f5fc9640204355e316475c918ae4d089afb344"
needs_mirror = pytest.mark.skipif(not (MIRROR / "rossmann").is_dir(), reason=f"mirror not found at {MIRROR}")


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


@needs_mirror
@pytest.mark.parametrize("as_url", [False, True])
def test_fetch_from_mirror_decompresses_and_verifies(tmp_path: Path, as_url: bool) -> None:
    mirror = MIRROR.resolve().as_uri() if as_url else str(MIRROR)
    dest = tmp_path / "raw" / "store.csv"
    out = fetch("store.csv", dest, STORE_SHA, mirror=mirror, remote=None, log=None, subdir="rossmann")
    assert out == dest
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == STORE_SHA
    assert dest.stat().st_size == 45_010
    assert _leftovers(dest.parent) == ["store.csv"]


@needs_mirror
def test_checksum_mismatch_names_file_and_both_hashes(tmp_path: Path) -> None:
    dest = tmp_path / "raw" / "store.csv"
    with pytest.raises(ChecksumError) as ei:
        fetch("store.csv", dest, "0" * 64, mirror=str(MIRROR), remote=None, log=None, subdir="rossmann")
    msg = str(ei.value)
    assert "store.csv" in msg and "0" * 64 in msg and STORE_SHA in msg
    assert _leftovers(dest.parent) == []


def test_truncated_gz_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "toy"
    mirror.mkdir(parents=True)
    raw = b"a,b\n" + b"1,2\n" * 50_000
    blob = gzip.compress(raw)
    (mirror / "toy.csv.gz").write_bytes(blob[: len(blob) // 2])
    expected = hashlib.sha256(raw).hexdigest()
    dest = tmp_path / "raw" / "toy.csv"
    with pytest.raises(ChecksumError) as ei:
        fetch("toy.csv", dest, expected, mirror=str(tmp_path / "mirror"), remote=None, log=None, subdir="toy")
    msg = str(ei.value)
    assert "toy.csv" in msg and "truncated" in msg and expected in msg
    assert _leftovers(dest.parent) == []


def test_plain_file_in_mirror_root_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "x.csv").write_bytes(b"hello\n")
    sha = hashlib.sha256(b"hello\n").hexdigest()
    out = fetch("x.csv", tmp_path / "o" / "x.csv", sha, mirror=str(tmp_path / "m"), remote=None, log=None)
    assert out.read_bytes() == b"hello\n"
    with pytest.raises(FileNotFoundError, match=r"y\.csv.*tried"):
        fetch("y.csv", tmp_path / "o" / "y.csv", None, mirror=str(tmp_path / "m"), remote=None, log=None, subdir="d")


def test_kaggle_request_url_and_auth() -> None:
    req = download.kaggle_request("rossmann-store-sales", "train.csv", ("alice", "s3cret"))
    assert req.full_url == "https://www.kaggle.com/api/v1/competitions/data/download/rossmann-store-sales/train.csv"
    assert req.get_header("Authorization") == "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert "s3cret" not in download.safe_url(req)


def test_kaggle_credentials_env_file_and_missing(tmp_path: Path) -> None:
    assert download.kaggle_credentials({"KAGGLE_USERNAME": "u", "KAGGLE_KEY": "k"}) == ("u", "k")
    cfg = tmp_path / "kaggle.json"
    cfg.write_text(json.dumps({"username": "bob", "key": "topsecret"}))
    assert download.kaggle_credentials({"KAGGLE_CONFIG_DIR": str(tmp_path)}) == ("bob", "topsecret")
    with pytest.raises(CredentialsError, match="KAGGLE_USERNAME"):
        download.kaggle_credentials({"KAGGLE_CONFIG_DIR": str(tmp_path / "none")})
    cfg.write_text("{}")
    with pytest.raises(CredentialsError) as ei:
        download.kaggle_credentials({"KAGGLE_CONFIG_DIR": str(tmp_path)})
    assert "topsecret" not in str(ei.value)


def test_remote_request_kinds() -> None:
    env = {"KAGGLE_USERNAME": "u", "KAGGLE_KEY": "k"}
    r = download.remote_request("train_1.csv", {"kind": "kaggle", "competition": "web-traffic-time-series-forecasting",
                                                "file": "train_1.csv.zip"}, env)
    assert r.full_url.endswith("/web-traffic-time-series-forecasting/train_1.csv.zip")
    assert download.remote_request("w.h5", {"kind": "url", "url": "https://example.org/w.h5"}).full_url.startswith("https")
    with pytest.raises(ValueError, match="https"):
        download.url_request("http://example.org/x")
    with pytest.raises(ValueError, match="competition"):
        download.remote_request("a", {"kind": "kaggle"}, env)
    with pytest.raises(ValueError, match="unknown kind"):
        download.remote_request("a", {"kind": "ftp"}, env)


def test_remote_fetch_unpacks_zip_and_never_logs_key(tmp_path: Path, monkeypatch, caplog) -> None:
    import zipfile

    payload = b"Page,2015-07-01\nx,1\n"

    def fake_download(req, out, filename, log, max_bytes=None):  # noqa: ANN001
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("train_1.csv", payload)

    monkeypatch.setattr(download, "_download", fake_download)
    monkeypatch.setenv("KAGGLE_USERNAME", "carol")
    monkeypatch.setenv("KAGGLE_KEY", "verysecretkey")
    log = logging.getLogger("test.fetch")
    with caplog.at_level(logging.INFO, logger="test.fetch"):
        out = fetch("train_1.csv", tmp_path / "raw" / "train_1.csv", hashlib.sha256(payload).hexdigest(), None,
                    {"kind": "kaggle", "competition": "web-traffic-time-series-forecasting", "file": "train_1.csv.zip"},
                    log)
    assert out.read_bytes() == payload
    assert "verysecretkey" not in caplog.text and "downloading https://www.kaggle.com" in caplog.text
    assert _leftovers(tmp_path / "raw") == ["train_1.csv"]


def test_redirect_to_other_host_drops_the_key() -> None:
    req = download.kaggle_request("m5-forecasting-accuracy", "calendar.csv", ("u", "k"))
    h = download.StripAuthRedirectHandler()
    other = h.redirect_request(req, None, 302, "Found", {}, "https://storage.googleapis.com/signed?x=1")
    assert other is not None and other.get_header("Authorization") is None
    same = h.redirect_request(req, None, 302, "Found", {}, "https://www.kaggle.com/api/v1/other")
    assert same is not None and same.get_header("Authorization", "").startswith("Basic ")


# ----------------------------------------------------------------------------- redirects, redaction, size cap
def _redirect(url: str, newurl: str, auth: bool = True):
    import urllib.request

    from mixseq.data.download import StripAuthRedirectHandler

    req = urllib.request.Request(url, headers={"Authorization": "Basic c2VjcmV0"} if auth else {})
    return StripAuthRedirectHandler().redirect_request(req, None, 302, "Found", {}, newurl)


def test_redirect_keeps_auth_on_same_origin_only():
    same = _redirect("https://www.kaggle.com/api/v1/x", "https://www.kaggle.com/api/v1/y")
    assert same.get_header("Authorization") == "Basic c2VjcmV0"
    for other in ("https://storage.example.org/f", "https://www.kaggle.com:8443/f"):
        new = _redirect("https://www.kaggle.com/api/v1/x", other)
        assert new.full_url == other
        assert new.get_header("Authorization") is None and "Authorization" not in new.unredirected_hdrs


def test_redirect_to_http_is_refused_with_a_clear_error():
    import urllib.error

    for target in ("http://www.kaggle.com/api/v1/y?token=abc", "ftp://x.org/f"):
        with pytest.raises(urllib.error.URLError, match="refusing redirect .* to non-https") as exc:
            _redirect("https://www.kaggle.com/api/v1/x", target)
        assert "abc" not in str(exc.value)


def test_redact_url_drops_credentials_and_query():
    from mixseq.data.download import redact_url, url_request

    assert redact_url("https://user:pw@host.org:8443/d/f.csv?token=abc#x") == "https://host.org:8443/d/f.csv?<redacted>"
    assert redact_url("https://host.org/f.csv") == "https://host.org/f.csv"
    from mixseq.data.download import safe_url

    assert "pw" not in safe_url(url_request("https://u:pw@host.org/f.csv?sig=1"))


def test_gzip_bomb_stops_at_the_cap_and_leaves_nothing(tmp_path):
    import gzip

    from mixseq.data.download import SizeLimitError, fetch

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "big.csv.gz").write_bytes(gzip.compress(b"0" * (4 << 20)))  # 4 MB decompressed, a few kB packed
    out = tmp_path / "raw"
    with pytest.raises(SizeLimitError, match=r"'big.csv'.*size cap of 1000000 bytes.*max_download_bytes"):
        fetch("big.csv", out / "big.csv", mirror=str(mirror), max_bytes=1_000_000)
    assert list(out.iterdir()) == []
    assert fetch("big.csv", out / "big.csv", mirror=str(mirror), max_bytes=5 << 20).stat().st_size == 4 << 20


def test_download_through_local_server_caps_size_and_refuses_http_redirect(tmp_path):
    """A real HTTP exchange with a server on 127.0.0.1: a body over the cap stops; a redirect to http:// (the
    only scheme a local test server speaks) is refused."""
    import http.server
    import logging
    import threading
    import urllib.request

    from mixseq.data.download import SizeLimitError, StripAuthRedirectHandler, _download

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/big")
                self.end_headers()
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * (3 << 20))

        def log_message(self, *a):  # quiet
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        base = f"http://127.0.0.1:{srv.server_port}"
        opener = urllib.request.build_opener(StripAuthRedirectHandler())
        with pytest.raises(SizeLimitError, match="size cap of 1048576 bytes"):
            _download(urllib.request.Request(base + "/big"), tmp_path / "b", "big", logging.getLogger("t"),
                      max_bytes=1 << 20, opener=opener)
        with pytest.raises(RuntimeError, match="refusing redirect .* to non-https"):
            _download(urllib.request.Request(base + "/redirect"), tmp_path / "r", "r", logging.getLogger("t"),
                      opener=opener)
    finally:
        srv.shutdown()
        srv.server_close()
        th.join(timeout=10)
