"""Flash messages are shown once per response. Flask hands the same list to every
get_flashed_messages() call of a request, so a page whose layout shows the messages and whose
fragment (for HTMX) shows them too would repeat "报销单已提交审批". Templates call
flashes_once() instead: the first caller gets the messages, later callers get none."""

from flask import g, get_flashed_messages


def flashes_once() -> list[tuple[str, str]]:
    if g.get("_flashes_shown"):
        return []
    g._flashes_shown = True
    return get_flashed_messages(with_categories=True)


def register(app) -> None:
    app.jinja_env.globals.update(flashes_once=flashes_once)
