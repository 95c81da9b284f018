"""The correspondence register: the list (filters, Excel), registering an item (an incoming call
for a colleague is a phone message), an item, and the handler's acknowledgement."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models import User
from ..models.office import CHANNELS, DIRECTIONS
from ..services import correspondence as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import AckForm, CorrespondenceForm
from .views import done, failed, q_arg


@bp.context_processor
def _mail_labels():
    return {"mail_reg": svc}


@bp.get("/mail")
@role_required(*svc.ROLES)
def mail():
    f = {"q": q_arg(), "direction": request.args.get("direction") if request.args.get("direction") in DIRECTIONS else "",
         "channel": request.args.get("channel") if request.args.get("channel") in CHANNELS else "",
         "open": request.args.get("open") == "1"}
    stmt = svc.visible_query(current_user, f["q"], f["direction"], f["channel"], f["open"])
    if request.args.get("format") == "xlsx":
        rows = [(m.number, m.day, str(svc.DIRECTION_LABELS[m.direction]), str(svc.CHANNEL_LABELS[m.channel]),
                 m.counterpart, m.phone, m.subject, m.handler.name if m.handler else "", m.acknowledged_at, m.reply)
                for m in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("收发文登记", ["编号", "日期", "收/发", "方式", "对方单位/来电人", "电话", "事由", "经办人",
                                                "签收时间", "处理情况"], rows), "correspondence.xlsx")
    return render("office/mail.html", "list", page=paginate(stmt), f=f,
                  can_register=current_user.role in svc.REGISTRARS)


@bp.route("/mail/new", methods=["GET", "POST"])
@role_required(*svc.REGISTRARS)
def mail_new():
    form = CorrespondenceForm()
    form.handler_id.choices = [("", "—")] + [(u.id, u.name) for u in svc.people()]
    if request.method == "GET" and request.args.get("call") == "1":
        form.direction.data, form.channel.data = "in", "call"
    if form.validate_on_submit():
        handler = db.session.get(User, form.handler_id.data) if form.handler_id.data else None
        try:
            item = svc.register(current_user, handler, {k: form[k].data for k in
                                                        ("direction", "channel", "day", "counterpart", "phone",
                                                         "subject")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.mail_detail", mail_id=item.id), _l("已登记 %(n)s", n=item.number))
    return render("office/mail_form.html", "form", form=form)


@bp.get("/mail/<int:mail_id>")
@role_required(*svc.ROLES)
def mail_detail(mail_id):
    return render("office/mail_item.html", item=svc.get_visible_or_404(current_user, mail_id), form=AckForm())


@bp.post("/mail/<int:mail_id>/ack")
@role_required(*svc.ROLES)
def mail_ack(mail_id):
    item = svc.get_visible_or_404(current_user, mail_id)
    form = AckForm()
    if form.validate_on_submit():
        try:
            svc.acknowledge(current_user, item, form.reply.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.mail_detail", mail_id=item.id), _l("已签收"))
    return render("office/mail_item.html", item=item, form=form)
