"""Tenders (招投标, SPEC 2.12): tender notices per region, assigned to a rep who files the bid and
answers the questions/challenges by their deadline; the outcome (中标 / 未中标 / 放弃). And the search
log: someone registers the tender searches; a weekly check reminds the assistant and the manager
when fewer than `tender_searches_per_week` were logged the week before (once per week).

Reps see their region's tenders and the ones assigned to them; leaders and the assistant all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from .. import clock
from ..extensions import db
from ..models import Region, User
from ..models.office import TENDER_OUTCOMES, Tender, TenderFile, TenderSearch
from . import audit, notify
from . import settings as company_settings
from .errors import DomainError, Forbidden
from .text_rules import clean_text, whole_number

ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant")
REGISTRARS = ("assistant", "manager")
SEES_ALL = ("supervisor", "manager", "director", "gm", "assistant")
OUTCOME_LABELS = {"open": _l("进行中"), "won": _l("中标"), "lost": _l("未中标"), "abandoned": _l("放弃")}


class InputErrors(DomainError):
    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.id)))


def reps() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active, User.role == "rep").order_by(User.id)))


def _text(fields, name, limit, errors, label=None, required=False):
    value = clean_text(fields.get(name) or "").strip()
    if required and not value:
        errors[name] = label
    elif len(value) > limit:
        errors[name] = _l("不能超过 %(n)s 个字", n=limit)
    return value


def register(actor: User, region: Region | None, assignee: User | None, fields: dict) -> Tender:
    if actor.role not in REGISTRARS:
        raise Forbidden(_l("只有销售内勤或销售经理可以登记招标信息"))
    errors: dict = {}
    title = _text(fields, "title", 200, errors, _l("请填写项目名称"), True)
    source = _text(fields, "source", 120, errors, _l("请填写信息来源"), True)
    buyer = _text(fields, "buyer", 120, errors, _l("请填写招标单位"), True)
    documents = _text(fields, "documents", 2000, errors)
    deadline = fields.get("deadline")
    if region is None:
        errors["region_id"] = _l("请选择区域")
    if deadline is None:
        errors["deadline"] = _l("请填写投标截止日期")
    if assignee is not None and (assignee.role != "rep" or not assignee.active):
        errors["assignee_id"] = _l("请选择在职的业务员")
    if errors:
        raise InputErrors(errors)
    tender = Tender(number=_next_number(), region_id=region.id, title=title, source=source, buyer=buyer,
                    deadline=deadline, documents=documents, assignee_id=assignee.id if assignee else None,
                    created_by_id=actor.id)
    db.session.add(tender)
    db.session.flush()
    audit.record(actor, "tender.register", tender, after={"number": tender.number, "buyer": buyer,
                                                          "deadline": deadline, "assignee": getattr(assignee, "username", None)})
    if assignee is not None:
        _tell_assignee(tender, assignee)
    return tender


def _tell_assignee(tender: Tender, assignee: User) -> None:
    subject = str(_l("招标项目：%(title)s（%(buyer)s，%(deadline)s 截止）", title=tender.title, buyer=tender.buyer,
                     deadline=tender.deadline.isoformat()))
    notify.tell(f"tender:{tender.id}:u{assignee.id}", assignee, subject[:300], subject, _url(tender))


def _next_number() -> str:
    prefix = f"ZB{clock.today_local():%Y}-"
    count = db.session.scalar(select(func.count(Tender.id)).where(Tender.number.startswith(prefix))) or 0
    return f"{prefix}{count + 1:04d}"


def can_see(user: User, tender: Tender) -> bool:
    if user.role in SEES_ALL:
        return True
    return user.role == "rep" and (tender.assignee_id == user.id or
                                   (user.region_id is not None and tender.region_id == user.region_id))


def can_work(user: User, tender: Tender) -> bool:
    return user.role in REGISTRARS or tender.assignee_id == user.id


def get_visible_or_404(user: User, tender_id: int) -> Tender:
    tender = db.session.get(Tender, tender_id)
    if tender is None or not can_see(user, tender):
        abort(404)
    return tender


def visible_query(user: User, q: str = "", outcome: str = "", region_id: int | None = None):
    stmt = select(Tender).order_by(Tender.deadline.desc(), Tender.id.desc())
    if user.role not in SEES_ALL:
        mine = Tender.assignee_id == user.id
        stmt = stmt.where(or_(mine, Tender.region_id == user.region_id) if user.region_id else mine)
    if outcome in TENDER_OUTCOMES:
        stmt = stmt.where(Tender.outcome == outcome)
    if region_id:
        stmt = stmt.where(Tender.region_id == region_id)
    if q:
        stmt = stmt.where(or_(Tender.number.contains(q, autoescape=True), Tender.title.contains(q, autoescape=True),
                              Tender.buyer.contains(q, autoescape=True), Tender.source.contains(q, autoescape=True)))
    return stmt


def open_for(user: User) -> list[Tender]:
    """The open tenders assigned to the person (for the desk)."""
    return list(db.session.scalars(select(Tender).where(Tender.assignee_id == user.id, Tender.outcome == "open")
                                   .order_by(Tender.deadline, Tender.id)))


def _locked(tender: Tender) -> Tender:
    audit.lock()
    db.session.refresh(tender, with_for_update=True)
    return tender


def file_bid(actor: User, tender: Tender, note: str) -> Tender:
    """The bid documents are prepared and filed (投标文件已递交); once, while the tender is open."""
    _locked(tender)
    if not can_work(actor, tender):
        raise Forbidden(_l("只有负责的业务员、销售内勤或销售经理可以登记投标文件"))
    if tender.outcome != "open":
        raise DomainError(_l("该招标已有结果"))
    if tender.bid_filed_at is not None:
        raise DomainError(_l("投标文件已于 %(at)s 登记", at=f"{tender.bid_filed_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"))
    errors: dict = {}
    note = _text({"bid_note": note}, "bid_note", 300, errors, _l("请填写递交情况（份数、方式）"), True)
    if errors:
        raise InputErrors(errors)
    tender.bid_filed_at, tender.bid_note = clock.now_utc(), note
    db.session.flush()
    audit.record(actor, "tender.bid", tender, after={"number": tender.number, "note": note})
    return tender


def set_questions(actor: User, tender: Tender, questions: str, answer_by) -> Tender:
    """Register the questions/challenges (答疑、质疑) and the date they must be answered by."""
    _locked(tender)
    if not can_work(actor, tender):
        raise Forbidden(_l("只有负责的业务员、销售内勤或销售经理可以登记答疑事项"))
    errors: dict = {}
    questions = _text({"questions": questions}, "questions", 300, errors, _l("请填写答疑或质疑事项"), True)
    if answer_by is None:
        errors["answer_by"] = _l("请填写答复截止日期")
    if errors:
        raise InputErrors(errors)
    tender.questions, tender.answer_by, tender.answer, tender.answered_at = questions, answer_by, "", None
    db.session.flush()
    audit.record(actor, "tender.questions", tender, after={"questions": questions, "answer_by": answer_by})
    return tender


def answer(actor: User, tender: Tender, text: str) -> Tender:
    _locked(tender)
    if not can_work(actor, tender):
        raise Forbidden(_l("只有负责的业务员、销售内勤或销售经理可以答复"))
    if not tender.questions:
        raise DomainError(_l("没有待答复的事项"))
    if tender.answered_at is not None:
        raise DomainError(_l("已答复"))
    errors: dict = {}
    text = _text({"answer": text}, "answer", 300, errors, _l("请填写答复内容"), True)
    if errors:
        raise InputErrors(errors)
    tender.answer, tender.answered_at = text, clock.now_utc()
    db.session.flush()
    audit.record(actor, "tender.answer", tender, after={"answer": text,
                                                        "late": clock.today_local() > tender.answer_by})
    return tender


def decide(actor: User, tender: Tender, outcome: str, note: str) -> Tender:
    """The outcome, once (two people at once: the row lock lets one through)."""
    _locked(tender)
    if actor.role not in REGISTRARS:
        raise Forbidden(_l("只有销售内勤或销售经理可以登记结果"))
    if tender.outcome != "open":
        raise DomainError(_l("已登记结果：%(o)s", o=OUTCOME_LABELS[tender.outcome]))
    errors: dict = {}
    if outcome not in ("won", "lost", "abandoned"):
        errors["outcome"] = _l("请选择结果")
    note = _text({"outcome_note": note}, "outcome_note", 300, errors)
    if errors:
        raise InputErrors(errors)
    tender.outcome, tender.outcome_note = outcome, note
    db.session.flush()
    if tender.assignee_id:
        notify.close_todos([f"tender:{tender.id}:"])
    audit.record(actor, "tender.outcome", tender, before={"outcome": "open"}, after={"outcome": outcome, "note": note})
    return tender


# ---- the search log and its weekly check -------------------------------------------------------

def log_search(actor: User, fields: dict) -> TenderSearch:
    if actor.role not in ROLES:
        raise Forbidden(_l("无权登记"))
    errors: dict = {}
    sources = _text(fields, "sources", 200, errors, _l("请填写检索的来源（网站、报刊）"), True)
    found = whole_number(fields.get("found")) if str(fields.get("found") or "").strip() else 0
    if found is None or not 0 <= found <= 1000:
        errors["found"] = _l("请填写 0 到 1000 的整数")
    day = fields.get("day")
    if day is None:
        errors["day"] = _l("请填写日期")
    elif day > clock.today_local():
        errors["day"] = _l("日期不能晚于今天")
    if errors:
        raise InputErrors(errors)
    row = TenderSearch(user_id=actor.id, day=day, sources=sources, found=found)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "tender.search", row, after={"day": day, "sources": sources, "found": found})
    return row


def searches_query(q: str = ""):
    stmt = select(TenderSearch).order_by(TenderSearch.day.desc(), TenderSearch.id.desc())
    if q:
        stmt = stmt.where(TenderSearch.sources.contains(q, autoescape=True))
    return stmt


def week_of(day):
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def searches_in(start, end) -> int:
    return db.session.scalar(select(func.count(TenderSearch.id)).where(TenderSearch.day >= start,
                                                                       TenderSearch.day <= end)) or 0


def check_last_week(now: datetime | None = None) -> int:
    """Fewer searches than the setting logged in last week (Mon–Sun): the assistant and the manager are
    reminded, once per week (the key holds the week)."""
    today = now.astimezone(clock.SHANGHAI).date() if now else clock.today_local()
    start, end = week_of(today - timedelta(days=7))
    wanted = company_settings.get("tender_searches_per_week")
    count = searches_in(start, end)
    if count >= wanted:
        return 0
    subject = str(_l("上周（%(start)s 至 %(end)s）招标信息检索只登记了 %(count)s 次，少于要求的 %(wanted)s 次",
                     start=start.isoformat(), end=end.isoformat(), count=count, wanted=wanted))
    sent = 0
    for person in db.session.scalars(select(User).where(User.role.in_(REGISTRARS), User.active).order_by(User.id)):
        key = f"tender-searches:{start.isoformat()}:u{person.id}"
        notify.todo(key, person, subject, _searches_url())
        sent += int(notify.email(key, person.email, subject, subject) is not None)
    return sent


def _url(tender: Tender) -> str:
    try:
        return url_for("office.tender_detail", tender_id=tender.id)
    except RuntimeError:
        return f"/office/tenders/{tender.id}"


def _searches_url() -> str:
    try:
        return url_for("office.tender_searches")
    except RuntimeError:
        return "/office/tenders/searches"


# ---- documents ------------------------------------------------------------------------------------

def files_of(tender: Tender) -> list[TenderFile]:
    return list(db.session.scalars(select(TenderFile).where(TenderFile.tender_id == tender.id).order_by(TenderFile.id)))


def add_file(actor: User, tender: Tender, filename: str, data: bytes) -> TenderFile:
    """Permission first (those who work the tender), then the file itself."""
    if not can_work(actor, tender):
        raise Forbidden(_l("只有负责的业务员、销售内勤或销售经理可以上传招投标文件"))
    from .archive import store_scan

    fields = store_scan(f"t{tender.id}", filename, data, fallback="tender")
    name = fields["filename"]
    row = TenderFile(tender_id=tender.id, uploaded_by_id=actor.id, **fields)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "tender.file", row, after={"tender": tender.number, "name": name, "size": len(data)})
    return row


def file_for_download(user: User, tender: Tender, file_id: int) -> tuple[TenderFile, bytes]:
    row = db.session.get(TenderFile, file_id)
    if row is None or row.tender_id != tender.id:
        abort(404)
    if not can_see(user, tender):
        abort(403)
    from .archive import read_scan

    return row, read_scan(row.stored_name)
