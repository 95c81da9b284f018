"""Static files through WhiteNoise: compressed, with hashed far-future-cached names.

At start-up every file of static/ is copied once into a build folder under its own name and
under a name carrying a hash of its content (``css/app.3f2a9c1b0d4e.css``), each with a gzip
(and, when the Brotli package is installed, a brotli) variant beside it. WhiteNoise serves that
folder in front of Flask — under `make run` and under gunicorn alike, no nginx needed — and
sends the hashed names with a one-year ``immutable`` cache; ``url_for('static', filename=…)``
in the templates answers the hashed name, so a browser never re-asks for an asset until it
changes. The build is content-addressed and written atomically, so several processes (web
workers, parallel tests) can share one folder.
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise import compress as wn_compress

from .security_headers import BASE_HEADERS

HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".md", ".map", ".html", ".ico"}


def hashed_name(name: str, digest: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{name}.{digest}"


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)


def _variants(data: bytes, suffix: str) -> dict[str, bytes]:
    if suffix not in COMPRESSIBLE or len(data) < 200:
        return {}
    found = {".gz": wn_compress.Compressor.compress_gzip(data)}
    if wn_compress.brotli_installed:
        found[".br"] = wn_compress.Compressor.compress_brotli(data)
    return {ext: packed for ext, packed in found.items() if len(packed) < len(data) * 0.95}


def build(source: Path, target: Path) -> dict[str, str]:
    """Copy source into target (plain and hashed names, compressed variants); return name → hashed name."""
    manifest: dict[str, str] = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith(".")):
        name = path.relative_to(source).as_posix()
        data = path.read_bytes()
        hashed = hashed_name(name, hashlib.sha256(data).hexdigest()[:12])
        manifest[name] = hashed
        if not (target / hashed).exists():  # variants first: a hashed file present means complete
            for ext, packed in _variants(data, path.suffix).items():
                _write_atomically(target / (hashed + ext), packed)
            _write_atomically(target / hashed, data)
        plain = target / name
        if not plain.exists() or plain.read_bytes() != data:
            for ext in (".gz", ".br"):
                variant = target / (hashed + ext)
                if variant.exists():
                    _write_atomically(target / (name + ext), variant.read_bytes())
                else:
                    (target / (name + ext)).unlink(missing_ok=True)
            _write_atomically(plain, data)
    return manifest


def install(app: Flask) -> None:
    source = Path(app.static_folder)
    target = Path(app.config.get("STATIC_BUILD_DIR") or Path(app.instance_path) / "static")
    try:
        manifest = build(source, target)
    except OSError:  # no writable build folder: the plain files, uncompressed, short cache
        manifest, target = {}, source
    app.extensions["static_manifest"] = manifest

    @app.url_defaults
    def hashed_static_names(endpoint, values):
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(target), prefix=app.static_url_path or "/static",
                              max_age=60, immutable_file_test=lambda path, url: bool(HASHED.search(url)),
                              add_headers_function=_security_headers)


def _security_headers(headers, path, url) -> None:
    """WhiteNoise answers before Flask's after_request hooks run; the same headers go out here."""
    for name, value in BASE_HEADERS.items():
        headers.setdefault(name, value)
