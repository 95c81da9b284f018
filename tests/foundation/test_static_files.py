"""Static files go out through WhiteNoise: hashed names cached for a year, gzip when asked."""

import gzip
import re


def _get(client, url, **headers):
    """(status, headers, body) — WhiteNoise answers with an open file, closed here."""
    response = client.get(url, headers=headers)
    try:
        return response.status_code, response.headers, response.get_data()
    finally:
        response.close()


def test_pages_reference_hashed_names_served_far_future_and_gzip(login):
    client = login("rep1")
    page = client.get("/rep/").get_data(as_text=True)
    found = re.search(r'src="(/static/js/app\.[0-9a-f]{12}\.js)"', page)
    assert found, "the desk does not reference the hashed app.js"
    status, headers, body = _get(client, found.group(1))
    assert status == 200
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600

    status, packed_headers, packed = _get(client, found.group(1), **{"Accept-Encoding": "gzip"})
    assert packed_headers["Content-Encoding"] == "gzip"
    assert packed_headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed) == body and len(packed) < len(body)


def test_vendored_chart_js_is_compressed_and_plain_names_still_answer(client):
    with client.application.test_request_context():
        url = client.application.url_for("static", filename="vendor/chart-4.5.1.umd.min.js")
    assert re.fullmatch(r"/static/vendor/chart-4\.5\.1\.umd\.min\.[0-9a-f]{12}\.js", url)
    status, headers, body = _get(client, url, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert len(body) < 120_000  # 205 KiB raw
    status, headers, _ = _get(client, "/static/css/app.css")
    assert status == 200 and "immutable" not in headers["Cache-Control"]


def test_static_answers_carry_the_same_security_headers_as_pages(client):
    _, page_headers, _ = _get(client, "/auth/login")
    _, static_headers, _ = _get(client, "/static/css/app.css")
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
        assert static_headers[name] == page_headers[name], name
