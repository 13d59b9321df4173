"""What goes over the wire: compressed pages, static files under hashed names cached for a year,
and charts that are warm when a worker starts (while the command line stays quick)."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys

from tests.support.servers import ROOT, plain_session

ASSET = re.compile(r'(?:href|src)="(/assets/[^"]+)"')


def test_pages_are_compressed(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(response.data).decode()
    assert "<h1" in html and len(response.data) < len(html.encode()) / 2


def test_static_files_have_hashed_names_and_a_years_immutable_cache(client):
    html = client.get("/login").get_data(as_text=True)
    assets = ASSET.findall(html)
    assert any(re.fullmatch(r"/assets/courtwatch\.[0-9a-f]{10}\.css", a) for a in assets), assets
    assert any(re.fullmatch(r"/assets/courtwatch\.[0-9a-f]{10}\.js", a) for a in assets), assets
    for asset in assets:
        response = client.get(asset, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # Flask-Compress leaves tiny files alone, and PNG icons are compressed already.
        if len(response.data) > 500 and response.mimetype not in ("image/png", "image/jpeg"):
            assert response.headers.get("Content-Encoding") == "gzip", (
                asset,
                response.mimetype,
                dict(response.headers),
            )
        response.close()  # a file response holds the file open until closed


def test_an_old_hash_still_gets_the_file_with_a_short_cache(client):
    response = client.get("/assets/courtwatch.0000000000.css")
    assert response.status_code == 200 and b"--accent" in response.data
    assert "immutable" not in response.headers["Cache-Control"]
    assert client.get("/assets/../config.0000000000.py").status_code == 404


def test_gunicorn_compresses_the_shift_list(gunicorn_server, volunteer):
    from tests.support.servers import logged_in_session

    browser = logged_in_session(gunicorn_server.url, volunteer)
    response = browser.get(f"{gunicorn_server.url}/shifts", headers={"Accept-Encoding": "gzip, br"}, stream=True)
    assert response.headers["Content-Encoding"] in ("gzip", "br")
    assert plain_session().get(f"{gunicorn_server.url}/login").headers.get("Content-Encoding") in ("gzip", "br")


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    ).stdout.strip()


def test_server_workers_load_matplotlib_at_start_and_the_cli_does_not():
    assert _python("import sys, wsgi; print('matplotlib.backends.backend_svg' in sys.modules)") == "True"
    assert _python("import sys, courtwatch; courtwatch.create_app(); print('matplotlib' in sys.modules)") == "False"
