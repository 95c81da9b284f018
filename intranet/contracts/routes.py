from datetime import date

from flask import request
from flask_login import current_user
from sqlalchemy import or_

from ..models import User
from ..models.contracts import CONTRACT_STATUSES, Contract
from ..models.customers import Customer
from ..services import contracts as svc
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from . import CONTRACT_ROLES, bp


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _filtered():
    args = request.args
    stmt = svc.visible_contracts(current_user).join(Contract.customer)
    if customer := args.get("customer", "").strip()[:60]:
        stmt = stmt.where(or_(Customer.name.contains(customer, autoescape=True),
                              Contract.number.contains(customer, autoescape=True)))
    if (rep_id := args.get("rep", type=int)) is not None:
        stmt = stmt.where(Contract.rep_id == rep_id)
    if (status := args.get("status", "")) in CONTRACT_STATUSES:
        stmt = stmt.where(Contract.status == status)
    if start := _day("from"):
        stmt = stmt.where(Contract.signed_on >= start)
    if end := _day("to"):
        stmt = stmt.where(Contract.signed_on <= end)
    return stmt.order_by(Contract.id.desc())


@bp.get("/")
@role_required(*CONTRACT_ROLES)
def register():
    stmt = _filtered()
    if request.args.get("format") == "xlsx":
        return _workbook(stmt)
    reps = sorted({c.rep for c in svc.db.session.scalars(svc.visible_contracts(current_user))},
                  key=lambda u: u.name) if current_user.role != "rep" else []
    return render("contracts/register.html", "list", page=paginate(stmt), missing=svc.missing_scans(current_user),
                  statuses=CONTRACT_STATUSES, labels=svc.STATUS_LABELS, kind_labels=svc.KIND_LABELS, reps=reps)


def _workbook(stmt):
    rows = [(c.number, str(svc.KIND_LABELS[c.kind]), c.customer.name, c.rep.name, c.total_amount,
             c.signed_on, str(svc.STATUS_LABELS[c.status]), "是" if c.scan_file_id else "否",
             "是" if c.original_received else "否") for c in svc.db.session.scalars(stmt)]
    wb = workbook("合同台账", ["合同编号", "类型", "客户", "业务员", "金额", "签订日期", "状态", "扫描件", "原件已交财务"], rows)
    return send_workbook(wb, "合同台账.xlsx")


__all__ = ["User"]
