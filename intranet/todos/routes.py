"""The to-do list page: open or done, paginated; a person may tick off their own reminder."""

from flask import redirect, request, url_for
from flask_login import current_user, login_required

from ..services import notify
from ..services.errors import DomainError
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp


@bp.get("/")
@login_required
def index():
    done = request.args.get("show") == "done"
    return render("todos/index.html", "list", page=paginate(notify.open_todos(current_user, done=done)),
                  done=done)


@bp.post("/<int:todo_id>/done")
@login_required
def mark_done(todo_id):
    try:
        notify.mark_done(current_user, todo_id)
    except DomainError:
        return render("todos/index.html", "list", page=paginate(notify.open_todos(current_user)), done=False), 404
    commit()
    return redirect(url_for("todos.index"), code=303)
