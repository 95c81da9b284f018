"""One template per page; HTMX requests get only the named block(s)."""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block, render_blocks

from ..extensions import htmx


def render(template: str, block: str | None = None, *, oob: tuple[str, ...] = (), status: int = 200, **ctx):
    """Full page for a normal request; for HTMX, `block` (plus out-of-band blocks) only."""
    if htmx and block:
        if oob:
            body = render_blocks(template, [block, *oob], **ctx)
        else:
            body = render_block(template, block, **ctx)
    else:
        body = render_template(template, **ctx)
    response = make_response(body, status)
    response.headers["Vary"] = "HX-Request"
    return response


def wants_fragment() -> bool:
    return bool(htmx) and request.method in {"GET", "POST"}
