"""The hidden CSRF field renders without an id: a page with several forms (the top bar's two, a
list's row forms) would otherwise repeat id="csrf_token", which is invalid HTML. Nothing refers
to that id; the token travels by its name. Installed on WTForms once, so every form is covered."""

from wtforms.csrf.core import CSRFTokenField


def _render_without_id(self, **kwargs):
    kwargs.setdefault("id", False)
    return self.meta.render_field(self, kwargs)


def install() -> None:
    CSRFTokenField.__call__ = _render_without_id
