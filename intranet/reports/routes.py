"""Report center views: request (one service call, enqueue after commit), progress fragment that
polls itself and stops with 286, the result page with its chart, the Excel download."""

from io import BytesIO

from flask import abort, flash, make_response, redirect, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db, htmx
from ..jobs.reports import enqueue_run
from ..models.reports import DONE, QUEUED, RUNNING
from ..services import reports as svc
from ..services.errors import DomainError, Forbidden
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import EmptyForm, RequestForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _labels():
    return {"svc": svc}


def _form() -> RequestForm:
    form = RequestForm()
    form.scope.choices = svc.scope_choices(current_user)
    if request.method == "GET":
        form.period.data = svc.last_month()
    return form


@bp.get("/")
@role_required(*svc.REQUESTERS)
def index():
    return render("reports/index.html", "list", page=paginate(svc.visible_query(current_user)), form=_form())


@bp.post("/request")
@role_required(*svc.REQUESTERS)
def request_report():
    form = _form()
    if form.validate_on_submit():
        try:
            run = svc.request_report(current_user, form.kind.data, form.period.data, form.scope.data)
        except Forbidden:
            db.session.rollback()
            abort(403)
        except DomainError as exc:
            db.session.rollback()
            (form._fields.get(exc.field or "") or form.period).errors.append(str(exc.message))
        else:
            commit()
            enqueue_run(run.id)  # after the row exists; the sweep re-enqueues it if Redis was down
            flash(_l("报表已提交生成"), "success")
            url = url_for("reports.run", run_id=run.id)
            if htmx:
                response = make_response("", 200)
                response.headers["HX-Redirect"] = url
                return response
            return redirect(url, 303)
    return render("reports/index.html", "form", page=paginate(svc.visible_query(current_user)), form=form)


@bp.get("/<int:run_id>")
@role_required(*svc.REQUESTERS)
def run(run_id):
    run = svc.get_visible_or_404(current_user, run_id)
    return render("reports/run.html", run=run, form=EmptyForm())


@bp.get("/<int:run_id>/progress")
@role_required(*svc.REQUESTERS)
def progress(run_id):
    """The polling fragment; read-only. Once the run is over (done, failed, or abandoned by a dead
    worker — its heartbeat stopped; the sweep job records it as failed) it answers 286 so htmx stops."""
    run = svc.get_visible_or_404(current_user, run_id)
    over = svc.state(run) not in (QUEUED, RUNNING)
    # The finished fragment (chart, download, or the error and Re-run) replaces the bar; 286 stops htmx.
    return render("reports/run.html", "progress", run=run, form=EmptyForm(), status=286 if over and htmx else 200)


@bp.get("/<int:run_id>/download")
@role_required(*svc.REQUESTERS)
def download(run_id):
    run = svc.get_visible_or_404(current_user, run_id)
    if run.status != DONE or not run.xlsx:
        abort(404)
    return send_file(BytesIO(run.xlsx), mimetype=XLSX, as_attachment=True,
                     download_name=f"report-{run.kind}-{run.period}-{run.id}.xlsx")


@bp.post("/<int:run_id>/rerun")
@role_required(*svc.REQUESTERS)
def rerun(run_id):
    run = svc.get_visible_or_404(current_user, run_id)
    svc.rerun(current_user, run)  # neither failed nor abandoned: 409 with the message
    commit()
    enqueue_run(run.id)
    flash(_l("已重新提交生成"), "success")
    return redirect(url_for("reports.run", run_id=run.id), 303)
