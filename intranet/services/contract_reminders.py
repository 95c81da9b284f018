"""Contracts awaiting their signed copy (SPEC 2.8 reminders, 2.10): a signed contract whose scan is
not uploaded `contract_scan_remind_days` after signing → a to-do and an email to its rep; still
missing after `contract_scan_escalate_days` → to the assistants (销售内勤), who keep the register.
Each occasion once (one notify key per contract and person), however often the job runs; a to-do
is closed once the scan is there."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import today_local
from ..extensions import db
from ..models import Todo, User
from ..models.contracts import SIGNED, Contract
from . import notify, settings

REMIND, ESCALATE = "contract-scan", "contract-scan-escalate"


def _link() -> str:
    try:
        return url_for("contracts.register")
    except RuntimeError:
        return "/contracts/"


def _close_done() -> None:
    """To-dos of contracts whose scan has come (or that are no longer signed) are done."""
    open_keys = db.session.scalars(select(Todo.key).where(Todo.done.is_(False), Todo.key.startswith(f"{REMIND}")))
    ids = {int(k.split(":")[1]) for k in open_keys if k.count(":") >= 2 and k.split(":")[1].isdigit()}
    if not ids:
        return
    done = db.session.scalars(select(Contract.id).where(Contract.id.in_(ids)).where(
        (Contract.scan_file_id.is_not(None)) | (Contract.status != SIGNED))).all()
    notify.close_todos([f"{p}:{cid}:" for cid in done for p in (REMIND, ESCALATE)])


@notify.in_company_language
def remind_missing_scans(today: date | None = None) -> dict[str, int]:
    today = today or today_local()
    remind_days, escalate_days = settings.get("contract_scan_remind_days"), settings.get("contract_scan_escalate_days")
    _close_done()
    counts = {"reminded": 0, "escalated": 0}
    late = db.session.scalars(select(Contract).where(
        Contract.status == SIGNED, Contract.scan_file_id.is_(None), Contract.signed_on.is_not(None),
        Contract.signed_on <= today - timedelta(days=remind_days)).order_by(Contract.id))
    assistants = None
    for contract in late:
        days = (today - contract.signed_on).days
        text = str(_l("合同 %(number)s（%(customer)s）签订已 %(days)d 天，请上传签字盖章的合同扫描件",
                      number=contract.number, customer=contract.customer.name, days=days))
        key = f"{REMIND}:{contract.id}:u{contract.rep_id}"
        if notify.todo(key, contract.rep, text, _link()) is not None:
            notify.email(key, contract.rep.email, text, text)
            counts["reminded"] += 1
        if days < escalate_days:
            continue
        if assistants is None:
            assistants = db.session.scalars(select(User).where(User.role == "assistant", User.active)
                                            .order_by(User.id)).all()
        text = str(_l("合同 %(number)s（%(customer)s，%(rep)s）签订已 %(days)d 天仍未上传扫描件", number=contract.number,
                      customer=contract.customer.name, rep=contract.rep.name, days=days))
        for assistant in assistants:
            key = f"{ESCALATE}:{contract.id}:u{assistant.id}"
            if notify.todo(key, assistant, text, _link()) is not None:
                notify.email(key, assistant.email, text, text)
                counts["escalated"] += 1
    return counts
