"""Fetch raw data files: from a local mirror (directory or ``file://`` URL) or from the real sources.

Mirror lookup order for ``filename`` (``subdir`` is the dataset name, e.g. ``rossmann``)::

    <mirror>/<filename>, <mirror>/<filename>.gz, <mirror>/<subdir>/<filename>, <mirror>/<subdir>/<filename>.gz

``.gz`` files are decompressed while copying. The sha256 is always that of the *decompressed raw*
bytes (the mirror README lists these as "raw sha256"). Output is written to a temporary file next to
``dest`` and renamed only after the checksum matched, so a failed fetch leaves nothing behind.

Without a mirror, ``remote`` says where the file comes from:

- ``{"kind": "kaggle", "competition": "rossmann-store-sales", "file": "train.csv"}``: Kaggle HTTP API
  (``GET https://www.kaggle.com/api/v1/competitions/data/download/<competition>/<file>``, HTTP basic auth with
  the user name and API key from ``~/.kaggle/kaggle.json`` or ``KAGGLE_USERNAME`` / ``KAGGLE_KEY``). The
  competition's rules must have been accepted on kaggle.com. Zip or gzip answers are unpacked.
- ``{"kind": "url", "url": "https://..."}``: a plain HTTPS download (e.g. the Radflow Wiki release),
  optionally ``"member"`` naming the file inside a zip archive.

The URL and header construction (:func:`kaggle_request`, :func:`url_request`) is separate from the network
call (:func:`_download`) so it can be unit-tested offline.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from mixseq.utils import atomic_path

KAGGLE_API = "https://www.kaggle.com/api/v1"
CHUNK = 1 << 20
#: default cap on the decompressed size of one raw file (config key ``max_download_bytes``)
MAX_BYTES = 50_000_000_000

_LOG = logging.getLogger("mixseq.download")


class ChecksumError(RuntimeError):
    """The fetched file's sha256 (of the decompressed bytes) differs from the expected one."""


class CredentialsError(RuntimeError):
    """Kaggle credentials were not found."""


class SizeLimitError(RuntimeError):
    """A file (decompressed, or as downloaded) exceeds ``max_download_bytes``: e.g. a gzip/zip bomb."""


# ----------------------------------------------------------------------------- mirror
def mirror_root(mirror: str | os.PathLike[str]) -> Path:
    """Turn a mirror given as a directory path or a ``file://`` URL into a local directory path."""
    s = str(mirror)
    if s.startswith("file://"):
        parsed = urllib.parse.urlparse(s)
        return Path(urllib.request.url2pathname(parsed.netloc + parsed.path))
    if "://" in s:
        raise ValueError(f"mirror '{s}': only local directories and file:// URLs are supported")
    return Path(s)


def mirror_candidates(mirror: str | os.PathLike[str], filename: str, subdir: str | None = None) -> list[Path]:
    """The paths tried, in order, for ``filename`` in ``mirror``."""
    root = mirror_root(mirror)
    cands = [root / filename, root / f"{filename}.gz"]
    if subdir:
        cands += [root / subdir / filename, root / subdir / f"{filename}.gz"]
    return cands


def find_in_mirror(mirror: str | os.PathLike[str], filename: str, subdir: str | None = None) -> Path:
    """First existing candidate from :func:`mirror_candidates`; ``FileNotFoundError`` lists all tried paths."""
    cands = mirror_candidates(mirror, filename, subdir)
    for c in cands:
        if c.is_file():
            return c
    raise FileNotFoundError(
        f"raw file '{filename}' not found in mirror {mirror_root(mirror)}; tried: " + ", ".join(map(str, cands))
    )


def _too_large(filename: str, src: Any, max_bytes: int) -> SizeLimitError:
    return SizeLimitError(
        f"'{filename}': {src} exceeds the size cap of {max_bytes} bytes (config key 'max_download_bytes'; "
        "decompressed size counts); stopped, nothing written"
    )


def _copy_hash(
    src: Path, tmp: Path, filename: str, expected: str | None = None, max_bytes: int = MAX_BYTES
) -> str:
    """Copy ``src`` (decompressing ``.gz`` / unpacking a one-file zip) to ``tmp``; return sha256 of bytes written.

    Stops with :class:`SizeLimitError` as soon as more than ``max_bytes`` decompressed bytes were read."""
    h = hashlib.sha256()
    n = 0
    try:
        if zipfile.is_zipfile(src):
            with zipfile.ZipFile(src) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
                member = filename if filename in names else (names[0] if len(names) == 1 else None)
                if member is None:
                    raise FileNotFoundError(f"zip archive {src} does not contain '{filename}' (members: {names})")
                fin = zf.open(member)
        elif _is_gzip(src):
            fin = gzip.open(src, "rb")
        else:
            fin = open(src, "rb")
        with fin, open(tmp, "wb") as fout:
            while True:
                buf = fin.read(CHUNK)
                if not buf:
                    break
                h.update(buf)
                n += len(buf)
                if n > max_bytes:
                    raise _too_large(filename, src, max_bytes)
                fout.write(buf)
    except (EOFError, OSError, zipfile.BadZipFile) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ChecksumError(
            f"'{filename}': source {src} is truncated or corrupt ({type(exc).__name__}: {exc}); "
            f"expected sha256 {expected or '(none configured)'}, actual sha256 of the {n} bytes read "
            f"{h.hexdigest()}; nothing written"
        ) from exc
    return h.hexdigest()


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


# ----------------------------------------------------------------------------- remote
def kaggle_credentials(
    env: dict[str, str] | None = None, config_path: str | os.PathLike[str] | None = None
) -> tuple[str, str]:
    """Kaggle ``(username, key)`` from ``KAGGLE_USERNAME``/``KAGGLE_KEY`` or ``~/.kaggle/kaggle.json``.

    The environment wins over the file (as in the official client). ``KAGGLE_CONFIG_DIR`` moves the file.
    Raises:
        CredentialsError: when neither is present; the message says where to put them (never prints a key).
    """
    env = dict(os.environ) if env is None else env
    if env.get("KAGGLE_USERNAME") and env.get("KAGGLE_KEY"):
        return env["KAGGLE_USERNAME"], env["KAGGLE_KEY"]
    if config_path is None:
        cfg_dir = env.get("KAGGLE_CONFIG_DIR") or str(Path.home() / ".kaggle")
        config_path = Path(cfg_dir) / "kaggle.json"
    path = Path(config_path)
    if path.is_file():
        try:
            data = json.loads(path.read_text())
            return str(data["username"]), str(data["key"])
        except (ValueError, KeyError) as exc:
            raise CredentialsError(
                f"Kaggle credentials file {path} must be JSON with keys 'username' and 'key'"
            ) from exc
    raise CredentialsError(
        "Kaggle credentials not found: set KAGGLE_USERNAME and KAGGLE_KEY, or create "
        f"{path} with {{\"username\": ..., \"key\": ...}} (kaggle.com > Settings > API > Create New Token), "
        "or use a local mirror (config key 'mirror')"
    )


def kaggle_request(competition: str, file: str, credentials: tuple[str, str]) -> urllib.request.Request:
    """The HTTP request downloading ``file`` of a Kaggle competition (basic auth; no network)."""
    user, key = credentials
    url = (
        f"{KAGGLE_API}/competitions/data/download/"
        f"{urllib.parse.quote(competition, safe='')}/{urllib.parse.quote(file, safe='')}"
    )
    token = base64.b64encode(f"{user}:{key}".encode()).decode()
    return urllib.request.Request(url, headers={"Authorization": f"Basic {token}", "User-Agent": "mixseq-workflow"})


def url_request(url: str) -> urllib.request.Request:
    """A plain HTTPS GET request (``http://`` is refused: checksums are only as good as the transport)."""
    if not url.startswith("https://"):
        raise ValueError(f"remote url '{redact_url(url)}': only https:// URLs are supported")
    return urllib.request.Request(url, headers={"User-Agent": "mixseq-workflow"})


def remote_request(filename: str, remote: dict[str, Any], env: dict[str, str] | None = None) -> urllib.request.Request:
    """Build the request for ``filename`` described by ``remote`` (see module docstring)."""
    kind = remote.get("kind")
    if kind == "kaggle":
        if "competition" not in remote:
            raise ValueError(f"remote for '{filename}': key 'competition' is required for kind 'kaggle'")
        return kaggle_request(remote["competition"], remote.get("file", filename), kaggle_credentials(env))
    if kind == "url":
        if "url" not in remote:
            raise ValueError(f"remote for '{filename}': key 'url' is required for kind 'url'")
        return url_request(remote["url"])
    raise ValueError(f"remote for '{filename}': unknown kind {kind!r} (expected 'kaggle' or 'url')")


def redact_url(url: str) -> str:
    """``url`` without user name, password, query string and fragment (they may hold tokens): for logs and
    metadata. ``https://u:p@host/f.csv?token=x`` -> ``https://host/f.csv?<redacted>``."""
    p = urllib.parse.urlsplit(url)
    host = p.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{p.port}" if p.port else "")
    tail = "?<redacted>" if p.query else ""
    return urllib.parse.urlunsplit((p.scheme, netloc, p.path, "", "")) + tail


def safe_url(req: urllib.request.Request) -> str:
    """The request's URL for logging, redacted (:func:`redact_url`); headers, which hold the key, are never
    logged."""
    return redact_url(req.full_url)


def _origin(url: str) -> tuple[str, str, int | None]:
    p = urllib.parse.urlsplit(url)
    port = p.port or {"https": 443, "http": 80}.get(p.scheme.lower())
    return p.scheme.lower(), (p.hostname or "").lower(), port


class StripAuthRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follow redirects to ``https://`` targets only, dropping the ``Authorization`` header whenever the
    scheme, host or port changes.

    Kaggle answers downloads with a redirect to a signed storage URL; urllib would otherwise forward the
    basic-auth header (the API key) to that other host. A redirect to ``http://`` (or any other scheme) is
    refused with an error naming the redacted target.
    """

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        newurl = urllib.parse.urljoin(req.full_url, newurl)
        if urllib.parse.urlsplit(newurl).scheme.lower() != "https":
            raise urllib.error.URLError(
                f"refusing redirect from {redact_url(req.full_url)} to non-https {redact_url(newurl)}"
            )
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) != _origin(req.full_url):
            for k in [k for k in new.headers if k.lower() == "authorization"]:
                del new.headers[k]
            for k in [k for k in new.unredirected_hdrs if k.lower() == "authorization"]:
                del new.unredirected_hdrs[k]
        return new


def _download(
    req: urllib.request.Request, out: Path, filename: str, log: logging.Logger, max_bytes: int = MAX_BYTES,
    opener: urllib.request.OpenerDirector | None = None,
) -> None:
    """Stream the response body of ``req`` to ``out``, at most ``max_bytes`` (:class:`SizeLimitError` beyond)."""
    opener = opener or urllib.request.build_opener(StripAuthRedirectHandler())
    try:
        with opener.open(req, timeout=120) as resp, open(out, "wb") as fh:
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            while True:
                buf = resp.read(CHUNK)
                if not buf:
                    break
                done += len(buf)
                if done > max_bytes:
                    raise _too_large(filename, safe_url(req), max_bytes)
                fh.write(buf)
                if total and done % (64 * CHUNK) < CHUNK:
                    log.info("'%s': %.0f / %.0f MB", filename, done / 1e6, total / 1e6)
    except urllib.error.HTTPError as exc:
        hint = ""
        if exc.code in (401, 403):
            hint = " (check the credentials and accept the competition rules on kaggle.com)"
        raise RuntimeError(f"download of '{filename}' from {safe_url(req)} failed: HTTP {exc.code}{hint}") from None
    except urllib.error.URLError as exc:
        raise RuntimeError(f"download of '{filename}' from {safe_url(req)} failed: {exc.reason}") from None


# ----------------------------------------------------------------------------- entry point
def fetch(
    filename: str,
    dest: str | os.PathLike[str],
    sha256: str | None = None,
    mirror: str | None = None,
    remote: dict[str, Any] | None = None,
    log: logging.Logger | None = None,
    subdir: str | None = None,
    max_bytes: int | None = None,
) -> Path:
    """Fetch raw ``filename`` to the file path ``dest`` and verify its sha256.

    Args:
        filename: raw file name (e.g. ``train.csv``); ``.gz`` variants are found and decompressed.
        dest: output file path (e.g. ``resources/rossmann/raw/train.csv``).
        sha256: expected sha256 of the decompressed bytes; ``None`` skips the check (logged as a warning).
        mirror: local directory or ``file://`` URL; takes precedence over ``remote``.
        remote: where to download from when there is no mirror (see module docstring).
        log: logger (defaults to ``mixseq.download``).
        subdir: dataset sub-directory of the mirror (e.g. ``rossmann``).
        max_bytes: cap on the decompressed (and the downloaded) size; default :data:`MAX_BYTES` (50 GB).

    Returns:
        ``dest`` as a Path.
    Raises:
        ChecksumError: sha mismatch or truncated/corrupt source, naming file, expected and actual sha256.
        FileNotFoundError: the file is in none of the mirror locations.
        CredentialsError: Kaggle credentials missing.
        SizeLimitError: the file exceeds ``max_bytes`` (nothing written).
    """
    log = log or _LOG
    cap = MAX_BYTES if max_bytes is None else int(max_bytes)
    dest = Path(dest)
    if mirror is None and remote is None:
        raise ValueError(f"'{filename}': neither a mirror nor a remote source is configured")
    with atomic_path(dest) as tmp:
        if mirror is not None:
            src = find_in_mirror(mirror, filename, subdir)
            log.info("'%s': copying from mirror %s", filename, src)
            actual = _copy_hash(src, tmp, filename, sha256, cap)
        else:
            assert remote is not None
            req = remote_request(filename, remote)
            log.info("'%s': downloading %s", filename, safe_url(req))
            with tempfile.TemporaryDirectory(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent) as td:
                raw = Path(td) / "download"
                _download(req, raw, filename, log, max_bytes=cap)
                actual = _copy_hash(raw, tmp, filename, sha256, cap)
        if sha256 is None:
            log.warning("'%s': no sha256 configured; actual sha256 is %s", filename, actual)
        elif actual.lower() != sha256.lower():
            raise ChecksumError(
                f"checksum mismatch for '{filename}': expected sha256 {sha256.lower()}, got {actual} "
                f"(output {dest} not written)"
            )
        else:
            log.info("'%s': sha256 ok (%s)", filename, actual)
    return dest

