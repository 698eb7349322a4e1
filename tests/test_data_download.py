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

    def fake_download(req, out, filename, log):  # noqa: ANN001
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
