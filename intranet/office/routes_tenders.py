"""Tenders (招投标): the list (filters, Excel), registering a notice, a tender with its bid,
questions and outcome; the search log with its form."""


from flask import abort, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..extensions import db
from ..models import Region, User
from ..models.office import TENDER_OUTCOMES
from ..services import tenders as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from ..web.uploads import send_stored, upload
from . import bp
from .forms import AnswerForm, BidForm, OutcomeForm, QuestionsForm, ScanForm, TenderForm, TenderSearchForm
from .views import done, failed, q_arg


@bp.context_processor
def _tender_labels():
    return {"tender_reg": svc}


@bp.get("/tenders")
@role_required(*svc.ROLES)
def tenders():
    f = {"q": q_arg(), "outcome": request.args.get("outcome") if request.args.get("outcome") in TENDER_OUTCOMES else "",
         "region": request.args.get("region", type=int)}
    stmt = svc.visible_query(current_user, f["q"], f["outcome"], f["region"])
    if request.args.get("format") == "xlsx":
        rows = [(t.number, t.title, t.region.name if t.region else "", t.source, t.buyer, t.deadline,
                 t.assignee.name if t.assignee else "", t.bid_filed_at, str(svc.OUTCOME_LABELS[t.outcome]), t.outcome_note)
                for t in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("招投标", ["编号", "项目名称", "区域", "信息来源", "招标单位", "投标截止", "负责业务员",
                                              "投标文件递交", "结果", "说明"], rows), "tenders.xlsx")
    return render("office/tenders.html", "list", page=paginate(stmt), f=f, regions=svc.regions(),
                  can_register=current_user.role in svc.REGISTRARS)


@bp.route("/tenders/new", methods=["GET", "POST"])
@role_required(*svc.REGISTRARS)
def tender_new():
    form = TenderForm()
    form.region_id.choices = [("", "—")] + [(r.id, r.name) for r in svc.regions()]
    form.assignee_id.choices = [("", "—")] + [(u.id, u.name) for u in svc.reps()]
    if form.validate_on_submit():
        region = db.session.get(Region, form.region_id.data) if form.region_id.data else None
        assignee = db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
        try:
            tender = svc.register(current_user, region, assignee, {k: form[k].data for k in (
                "title", "source", "buyer", "deadline", "documents")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.tender_detail", tender_id=tender.id), _l("已登记 %(n)s", n=tender.number))
    return render("office/tender_form.html", "form", form=form)


def _detail(tender, **forms):
    forms = {"bid_form": BidForm(), "q_form": QuestionsForm(), "answer_form": AnswerForm(),
             "outcome_form": OutcomeForm(), **forms}
    forms.setdefault("file_form", ScanForm())
    return render("office/tender.html", tender=tender, can_work=svc.can_work(current_user, tender),
                  files=svc.files_of(tender),
                  can_decide=current_user.role in svc.REGISTRARS, **forms)


@bp.get("/tenders/<int:tender_id>")
@role_required(*svc.ROLES)
def tender_detail(tender_id):
    return _detail(svc.get_visible_or_404(current_user, tender_id))


def _act(tender_id, form_cls, key, call, message):
    tender = svc.get_visible_or_404(current_user, tender_id)
    form = form_cls()
    if form.validate_on_submit():
        try:
            call(tender, form)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.tender_detail", tender_id=tender.id), message)
    return _detail(tender, **{key: form})


@bp.post("/tenders/<int:tender_id>/bid")
@role_required(*svc.ROLES)
def tender_bid(tender_id):
    return _act(tender_id, BidForm, "bid_form",
                lambda t, f: svc.file_bid(current_user, t, f.bid_note.data), _l("已登记投标文件"))


@bp.post("/tenders/<int:tender_id>/questions")
@role_required(*svc.ROLES)
def tender_questions(tender_id):
    return _act(tender_id, QuestionsForm, "q_form",
                lambda t, f: svc.set_questions(current_user, t, f.questions.data, f.answer_by.data), _l("已登记答疑事项"))


@bp.post("/tenders/<int:tender_id>/answer")
@role_required(*svc.ROLES)
def tender_answer(tender_id):
    return _act(tender_id, AnswerForm, "answer_form",
                lambda t, f: svc.answer(current_user, t, f.answer.data), _l("已答复"))


@bp.post("/tenders/<int:tender_id>/outcome")
@role_required(*svc.ROLES)
def tender_outcome(tender_id):
    return _act(tender_id, OutcomeForm, "outcome_form",
                lambda t, f: svc.decide(current_user, t, f.outcome.data, f.outcome_note.data), _l("已登记结果"))


@bp.route("/tenders/searches", methods=["GET", "POST"])
@role_required(*svc.ROLES)
def tender_searches():
    form = TenderSearchForm()
    if form.validate_on_submit():
        try:
            svc.log_search(current_user, {k: form[k].data for k in ("day", "sources", "found")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.tender_searches"), _l("已登记检索"))
    elif request.method == "GET":
        form.day.data = clock.today_local()
    f = {"q": q_arg()}
    start, end = svc.week_of(clock.today_local())
    return render("office/tender_searches.html", "list", form=form, page=paginate(svc.searches_query(f["q"])), f=f,
                  this_week=svc.searches_in(start, end))


@bp.post("/tenders/<int:tender_id>/files")
@role_required(*svc.ROLES)
def tender_file(tender_id):
    tender = svc.get_visible_or_404(current_user, tender_id)
    if not svc.can_work(current_user, tender):
        abort(403)  # before anything about the file: no hint for someone who may not upload
    form = ScanForm()
    response = upload(form, lambda name, data: svc.add_file(current_user, tender, name, data),
                      url_for("office.tender_detail", tender_id=tender.id), _l("文件已上传"))
    return response or _detail(tender, file_form=form)


@bp.get("/tenders/<int:tender_id>/files/<int:tender_file_id>")
@role_required(*svc.ROLES)
def tender_file_download(tender_id, tender_file_id):
    tender = svc.get_visible_or_404(current_user, tender_id)
    row, data = svc.file_for_download(current_user, tender, tender_file_id)
    return send_stored(data, row.content_type, row.filename)
