"""Demo history: the office registers' past quarter — letters, faxes, parcels, business email and calls
handed to the people who dealt with them (most acknowledged); the tender searches three times a week and
the tender notices they found, bid or let go, won or lost; and the archive's files of the quarter (the
signed contracts, shipping notices, quality feedback and after-sales receipts, filed with their contents
lists). Made through the real services, then moved to the working days they happened. Idempotent (by a
correspondence item of a past month)."""

from datetime import timedelta

from sqlalchemy import select

from ..clock import local_instant, today_local
from ..demo import forget_notices, next_working_day, spread, working_days
from ..extensions import db
from ..models import Correspondence, Region
from ..services import archive, correspondence, tenders

MAIL = [("in", "letter", "宁波海天集团采购部", "供应商年度评审结果通知"),
        ("in", "fax", "嘉兴禾源纯水科技", "退货品质投诉单（传真件）"),
        ("in", "call", "杭州清源水务 王工", "询问滤芯更换周期，请回电"),
        ("out", "parcel", "广州珠江饮料有限公司", "寄送产品彩页与样品"),
        ("in", "email", "苏州清源环保", "索取 RO-1000 技术参数"),
        ("out", "letter", "南京金陵食品有限公司", "催款通知函"),
        ("in", "call", "上海宏达水处理 财务", "核对 11 月发票金额，请回电"),
        ("out", "fax", "佛山南海陶瓷有限公司", "报价单（传真）")]
TENDERS = [("宁波北仑区水务集团 净水设备采购", "浙江政府采购网", "宁波北仑区水务集团", "华东区", "won"),
           ("东莞市自来水公司 反渗透膜组件采购", "广东省公共资源交易网", "东莞市自来水有限公司", "华南区", "lost"),
           ("苏州工业园区污水厂 超滤系统改造", "中国采购与招标网", "苏州工业园区清源华衍水务", "华东区", "won"),
           ("湛江市第一中学 直饮水设备", "湛江市政府采购网", "湛江市第一中学", "华南区", "abandoned"),
           ("杭州市萧山区人民医院 纯水系统", "浙江政府采购网", "萧山区人民医院", "华东区", "lost"),
           ("珠海香洲区学校 净水器集中采购", "珠海市公共资源交易中心", "珠海市香洲区教育局", "华南区", "won")]
FILES = [("contract", "购销合同正本\n技术协议\n验收单"), ("shipping", "发货通知单\n物流签收单"),
         ("quality", "质量信息反馈单\n处理结果回执"), ("service", "售后服务回执单\n客户签字确认")]
KLASS_TITLE = {"contract": "购销合同", "shipping": "发货通知单", "quality": "质量信息反馈", "service": "售后服务回执"}


def _at(day, hour, minute=0):
    return local_instant(day, hour, minute)


def _correspondence(users, days) -> int:
    handlers = [users[n] for n in ("rep1", "manager", "rep3", "assistant", "rep2", "finance", "rep4", "director")]
    for n, day in enumerate(days):
        direction, channel, counterpart, subject = MAIL[n % len(MAIL)]
        handler = handlers[n % len(handlers)]
        item = correspondence.register(users["assistant"], handler, {
            "direction": direction, "channel": channel, "day": day, "counterpart": counterpart,
            "phone": "0571-8888 1234" if channel == "call" else "", "subject": subject})
        item.registered_at = _at(day, 9 + n % 7, 10)
        if n % 6 != 5 and handler.id != users["assistant"].id:  # most are dealt with the same or the next day
            correspondence.acknowledge(handler, item, "已处理")
            item.acknowledged_at = _at(next_working_day(day, n % 2), 15, 20)
    return len(days)


def _searches(users, days) -> int:
    for n, day in enumerate(days):
        row = tenders.log_search(users["assistant"], {"day": day, "sources": "中国采购与招标网、各省政府采购网",
                                                      "found": str(n % 3)})
        row.created_at = _at(day, 9, 40)
    return len(days)


def _tenders(users, days) -> int:
    regions = {r.name: r for r in db.session.scalars(select(Region))}
    for (title, source, buyer, region, outcome), day in zip(TENDERS, days, strict=False):
        rep = users["rep1"] if region == "华东区" else users["rep3"]
        tender = tenders.register(users["assistant"], regions.get(region) or rep.region, rep, {
            "title": title, "source": source, "buyer": buyer, "deadline": today_local() + timedelta(days=1),
            "documents": "营业执照、ISO9001 证书、近三年业绩、产品检测报告"})
        if outcome != "abandoned":
            tenders.file_bid(rep, tender, "标书已按时递交")
        tenders.decide(users["manager"], tender, outcome, {"won": "中标，待签合同", "lost": "价格分未达第一",
                                                           "abandoned": "资质要求不符，放弃投标"}[outcome])
        tender.created_at, tender.deadline = _at(day, 10), next_working_day(day, 10)
        if tender.bid_filed_at is not None:
            tender.bid_filed_at = _at(next_working_day(day, 8), 16)
    return len(TENDERS)


def _files(users, days) -> int:
    for n, day in enumerate(days):
        klass, contents = FILES[n % len(FILES)]
        file = archive.save_file(users["assistant"], None, {
            "title": f"{day:%Y 年 %m 月} {KLASS_TITLE[klass]}（第 {n // len(FILES) + 1} 册）", "klass": klass,
            "retention": "long" if klass == "contract" else "normal", "location": f"{'ABCD'[n % 4]} 柜 {n % 3 + 1} 层",
            "contents": contents})
        file.created_at = _at(day, 16, 30)
    return len(days)


def seed_history_office(users) -> int:
    today = today_local()
    if db.session.scalar(select(Correspondence.id).where(Correspondence.day < today.replace(day=1)).limit(1)):
        return 0
    days = working_days(today - timedelta(days=90), today - timedelta(days=1))
    if not days:
        return 0
    made = _correspondence(users, spread(days, 40))
    made += _searches(users, [d for d in days if d.weekday() in (0, 2, 4)])
    made += _tenders(users, spread(days[:-15], len(TENDERS)))
    made += _files(users, spread(days, 28))
    db.session.flush()
    forget_notices(["correspondence:", "tender:", "archive-"])
    return made


__all__ = ["seed_history_office"]
