"""Demo office: the archive (a contract file rep1 has consent to read, a quality file lent to
supervisor1 and overdue), the contract seal with a use approved and stamped and one waiting for
the manager, a notice circulated to everyone (rep1 has read it), the weekly meeting's minutes with
a task for rep2. Made through the real services; their to-dos and emails are removed again (the
desks show the live cards instead). Idempotent (by the seal's name). Dates relative to today."""

from datetime import timedelta

from flask import g
from sqlalchemy import delete, or_, select

from ..clock import now_utc, today_local
from ..demo import SEED_HOOKS
from ..extensions import db
from ..models import ApprovalRequest, Email, Region, Todo
from ..models.office import Seal
from ..services import (
    approvals,
    archive,
    correspondence,
    minutes,
    notices,
    partners,
    qualifications,
    seals,
    tenders,
)

SEAL_NAME = "经济合同章"


def _approve_all(doc_type, doc) -> None:
    req = approvals.request_for(doc_type, doc.id)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")


def seed_office(users: dict) -> int:
    if db.session.scalar(select(Seal.id).where(Seal.name == SEAL_NAME)):
        return 0
    assistant, today = users["assistant"], today_local()
    contract = archive.save_file(assistant, None, {
        "title": "杭州清源水务 RO-1000 购销合同", "klass": "contract", "retention": "long", "location": "A 柜 2 层",
        "contents": "购销合同正本\n技术协议\n发货通知单\n验收单"})
    quality = archive.save_file(assistant, None, {
        "title": "2026 年第三季度质量信息反馈", "klass": "quality", "retention": "normal", "location": "B 柜 1 层",
        "contents": "质量信息反馈单 12 份\n处理结果回执"})
    archive.save_file(assistant, None, {"title": "销售部管理制度汇编", "klass": "policy", "retention": "long",
                                        "location": "C 柜", "contents": "考勤制度\n用印管理规定\n档案借阅规定"})
    access = archive.request_access(users["rep1"], contract, "核对合同付款条款")
    _approve_all(archive.DOC_TYPE, access)
    archive.request_access(users["supervisor1"], quality, "整理客户投诉")
    _approve_all(archive.DOC_TYPE, archive.my_requests(users["supervisor1"], quality)[0])
    loan = archive.lend(assistant, quality, users["supervisor1"], "整理客户投诉", today)
    loan.out_at, loan.due_on = now_utc() - timedelta(days=10), today - timedelta(days=3)  # lent earlier: overdue
    archive.add_scan(assistant, contract, "购销合同扫描件.pdf", b"%PDF-1.4\n% demo scan\n%%EOF\n")

    seal = seals.add_seal(assistant, SEAL_NAME)
    seals.add_seal(assistant, "销售部业务章")
    stamped = seals.request(users["rep1"], seal, {"kind": "use", "document": "杭州清源水务 RO-1000 购销合同",
                                                  "purpose": "合同签订", "copies": "2"})
    _approve_all(seals.USE_TYPE, stamped)
    seals.log_stamped(assistant, stamped)
    seals.report_removal(assistant, seal, users["rep2"], today, "周三下午带合同章外出，未登记、未经同意")
    seals.request(users["rep3"], seal, {"kind": "use", "document": "广州天河自来水 报价单", "purpose": "投标报价",
                                        "copies": "3"})

    everyone = [u.id for u in notices.people()]
    notice = notices.circulate(users["manager"], {
        "kind": "policy", "title": "关于经济合同章使用管理的规定",
        "body": "经济合同章由销售内勤保管。用印须经销售经理批准；未经同意带离办公室者罚款 50 元，造成后果的罚款 1000 元。",
        "user_ids": everyone, "sign_ids": [users["director"].id]})
    notices.add_file(users["manager"], notice, "用印管理规定.pdf", b"%PDF-1.4\n% demo policy\n%%EOF\n")
    notices.acknowledge(users["rep1"], notice)

    meeting = minutes.record(users["manager"], {
        "kind": "weekly", "title": "销售部周例会", "held_on": today, "attendees": "张伟、刘洋、陈静、赵敏、周杰、吴磊",
        "decisions": "一、本周内完成华东区重点客户回访\n二、整理第三季度质量反馈"})
    minutes.assign(users["manager"], meeting, users["rep2"], {
        "what": "回访杭州清源水务，确认设备运行情况", "due_on": today + timedelta(days=3), "place": "杭州",
        "check_method": "提交拜访报告，经理抽查电话回访"})
    correspondence.register(assistant, users["rep1"], {
        "direction": "in", "channel": "call", "day": today, "counterpart": "杭州清源水务 王工", "phone": "0571-8888 1234",
        "subject": "询问 RO-1000 滤芯更换报价，请回电"})
    letter = correspondence.register(assistant, users["manager"], {
        "direction": "in", "channel": "letter", "day": today, "counterpart": "宁波海天集团采购部",
        "subject": "2027 年度供应商资格审核通知"})
    correspondence.acknowledge(users["manager"], letter, "已转内勤准备资质文件")
    _seed_tenders_and_partners(users, today)
    _seed_qualifications(users, today)
    _forget_notices()
    return 1


def _seed_tenders_and_partners(users: dict, today) -> None:
    """Two tender notices (one assigned to rep1 in 华东区 with a question to answer, one in 华南区), two
    searches this week, carriers per region and a testing partner."""
    assistant = users["assistant"]
    east, south = (db.session.scalar(select(Region).where(Region.name == n)) for n in ("华东区", "华南区"))
    east_tender = tenders.register(assistant, east or users["rep1"].region, users["rep1"], {
        "title": "嘉兴市自来水公司 2027 年净水设备采购", "source": "中国采购与招标网", "buyer": "嘉兴市自来水有限公司",
        "deadline": today + timedelta(days=10), "documents": "营业执照、ISO9001 证书、近三年业绩、产品检测报告"})
    tenders.add_file(assistant, east_tender, "招标文件.pdf", b"%PDF-1.4\n% demo tender\n%%EOF\n")
    tenders.set_questions(assistant, east_tender, "招标文件第 3.2 条流量参数是否可偏离", today + timedelta(days=4))
    tenders.register(assistant, south or users["rep3"].region, users["rep3"], {
        "title": "佛山南海水务 RO 膜组件采购", "source": "广东省公共资源交易网", "buyer": "佛山市南海区水务局",
        "deadline": today + timedelta(days=20), "documents": "资质文件、报价单"})
    for days_ago, sources, found in ((1, "中国采购与招标网、广东省公共资源交易网", 2), (0, "浙江政府采购网", 1)):
        tenders.log_search(assistant, {"day": today - timedelta(days=days_ago), "sources": sources, "found": found})
    for name, region, contact, phone in (("顺丰速运", None, "陈经理", "95338"), ("德邦物流", east, "李师傅", "0571-8666 0000"),
                                         ("华南快运", south, "黄先生", "020-3888 0000")):
        partners.save(assistant, None, region, {"name": name, "kind": "carrier", "contact": contact, "phone": phone})
    partners.save(assistant, None, None, {"name": "浙江省水质检测中心", "kind": "other", "contact": "王工",
                                          "phone": "0571-8777 1234", "notes": "产品检测报告"})


def _seed_qualifications(users: dict, today) -> None:
    """The company's licences: a business licence with its scan, an ISO 9001 certificate expiring within
    the reminder window, a hygiene licence valid for years."""
    assistant = users["assistant"]
    licence = qualifications.save(assistant, None, {
        "name": "营业执照", "number": "91330100MA2B000000", "issuer": "杭州市市场监督管理局", "expires_on": None})
    qualifications.attach_scan(assistant, licence, "营业执照扫描件.pdf", b"%PDF-1.4\n% demo licence\n%%EOF\n")
    qualifications.save(assistant, None, {"name": "ISO 9001 质量管理体系认证证书", "number": "00126Q30001R2M",
                                          "issuer": "中国质量认证中心", "expires_on": today + timedelta(days=20)})
    qualifications.save(assistant, None, {"name": "涉及饮用水卫生安全产品卫生许可批件", "number": "浙卫水字（2025）第 0012 号",
                                          "issuer": "浙江省卫生健康委员会", "expires_on": today + timedelta(days=900)})


def _forget_notices() -> None:
    """The demo's own to-dos and emails were never real occasions: remove them."""
    doc_types = (archive.DOC_TYPE, seals.USE_TYPE, seals.OUT_TYPE)
    ids = db.session.scalars(select(ApprovalRequest.id).where(ApprovalRequest.doc_type.in_(doc_types)))
    prefixes = ["notice:", "task:", "archive-", "seal-", "correspondence:", "tender:", "qualification-", *[f"approval:{i}:" for i in ids]]
    match = or_(*[Email.key.startswith(p) for p in prefixes])
    gone = set(db.session.scalars(select(Email.id).where(match)))
    db.session.execute(delete(Email).where(match))
    pending = g.get("emails_to_enqueue")
    if pending:
        pending[:] = [i for i in pending if i not in gone]
    db.session.execute(delete(Todo).where(or_(*[Todo.key.startswith(p) for p in prefixes])))


SEED_HOOKS.append(seed_office)
