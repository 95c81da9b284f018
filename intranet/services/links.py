"""Site-relative links for notices, also from a job (no request): built straight from the URL map."""

from flask import current_app, has_request_context, url_for


def link(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("").build(endpoint, values)
