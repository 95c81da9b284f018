"""The reminder schedule page: every periodic job, its time (a setting), its switch, its last runs."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..services import job_schedule as svc
from ..services import settings
from ..services.errors import Forbidden
from ..web.guards import role_required
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import EmptyForm


@bp.get("/schedule")
@role_required(*svc.VIEWERS)
def schedule():
    values = settings.raw_values()
    history = {j.name: svc.history(j.run_name, 5) for j in svc.JOBS}
    return render("reports/schedule.html", rows=svc.overview(), values=values, labels=settings.BY_KEY,
                  form=EmptyForm(), history=history,
                  names=svc.recipients([r for runs in history.values() for r in runs]))


@bp.post("/schedule/<name>/switch")
@role_required(*svc.EDITORS)
def schedule_switch(name):
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            svc.set_enabled(current_user, name, request.form.get("enabled") == "1")
        except Forbidden:
            abort(403)
        commit()
        flash(_l("已保存"), "success")
    return redirect(url_for("reports.schedule"), 303)
