"""Demo returns in three stages: one being shipped back (overdue on the assistant's desk), one waiting
for the director, one closed with a credit note last month. Idempotent: each is made once (by its
original order number). Made through the real services and the approval engine; the notices those
send are removed again, so seeding the demo mails nobody."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import now_utc
from ..demo import SEED_HOOKS, at_work, demo_image, forget_notices
from ..extensions import db
from ..models import Product
from ..models.returns import ReturnRequest
from ..services import approvals
from ..services import returns as svc

DEMOS = [
    {"order_ref": "XS-2026-1015-0158", "rep": "rep1", "customer_name": "杭州清源水处理设备有限公司",
     "reason": "quality", "reason_detail": "客户反映 10 月批次膜元件装机两周后产水电导率超标，现场检测脱盐率不足 90%。",
     "cost_split": "往返运费由我司承担；客户负责拆卸和打包。",
     "lines": [("MEM-4040", 6, "1350.00"), ("PP-20", 40, "18.50")],
     "complaint": {"batch": "M2610-07", "defect": "膜元件脱盐率 86%~89%（标准 ≥ 97%），外壳无破损，疑似批次质量问题。",
                   "customer_demand": "退回 6 支膜元件并重新发货，承担停机期间的滤芯费用。",
                   "proposed_handling": "同意退回膜元件送质检部检测；PP 滤芯一并退回冲账；检测结果出来后再议赔偿。"},
     "decide": ["supervisor1", "director", "gm"], "track": ["notify", "ship"], "days_ago": 9},
    {"order_ref": "FH-2026-1108-0042", "rep": "rep3", "customer_name": "广州珠江饮料有限公司",
     "reason": "wrong_goods", "reason_detail": "订单为 UF-300，仓库按 UF-200 发货。",
     "justification": "我司仓库发错型号，客户拒收；不退回无法按合同交付。",
     "cost_split": "退回运费由我司承担，重新发货运费我司承担。",
     "lines": [("UF-200", 1, "12800.00")],
     "complaint": {"batch": "UF-2611-03", "defect": "型号不符：发货 UF-200，订单要求 UF-300。",
                   "customer_demand": "退回 UF-200，一周内补发 UF-300。",
                   "proposed_handling": "同意退货；仓库复核出库流程，补发 UF-300。"},
     "decide": ["supervisor2"], "track": [], "days_ago": 2},
    {"order_ref": "XS-2026-0926-0311", "rep": "rep2", "customer_name": "苏州恒润酒店管理有限公司",
     "reason": "transit_damage", "reason_detail": "到货时两台紫外线杀菌器外壳破裂，物流签收单已注明。",
     "justification": "物流途中损坏，签收时已当场拍照并在签收单注明，物流公司已同意理赔。",
     "cost_split": "运费及损失由物流公司理赔；我司先给客户开红字发票冲账。",
     "lines": [("UV-30", 2, "4300.00")],
     "complaint": {"batch": "UV-2609-12", "defect": "外壳破裂，灯管碎裂，无法使用。",
                   "customer_demand": "冲减货款，不再补发。",
                   "proposed_handling": "同意退货冲账，向物流公司索赔。"},
     "decide": ["supervisor1", "director", "gm"], "track": ["notify", "ship", "receive", "refund", "close"],
     "days_ago": 40},
    {"order_ref": "XS-2026-1020-0217", "rep": "rep1", "customer_name": "上海浦江商务酒店有限公司",
     "reason": "quality", "reason_detail": "客房直饮水机组 UV-30 灯管频繁熄灭，更换灯管后仍无法正常工作。",
     "cost_split": "运费由我司承担。",
     "lines": [("UV-30", 1, "4300.00")],
     "complaint": {"batch": "UV-2610-05", "defect": "镇流器故障，灯管无法持续点亮。",
                   "customer_demand": "退回故障机，换新机一台。",
                   "proposed_handling": "同意退回检测；确认为质量问题后换新。"},
     "decide": ["supervisor1", "director"], "track": [], "days_ago": 4},
    {"order_ref": "XS-2026-1003-0096", "rep": "rep3", "customer_name": "广州羊城净水科技有限公司",
     "reason": "wrong_goods", "reason_detail": "订单为 20 英寸 1μm 滤芯，到货为 5μm。",
     "justification": "规格发错，客户项目验收要求 1μm。",
     "cost_split": "退回及补发运费由我司承担。",
     "lines": [("PP-20", 120, "18.50")],
     "complaint": {"batch": "PP-2609-21", "defect": "滤芯精度不符：到货 5μm，订单 1μm。",
                   "customer_demand": "全部退回，补发 1μm 滤芯。",
                   "proposed_handling": "同意退货并补发；货到后冲减货款。"},
     "decide": ["supervisor2", "director", "gm"], "track": ["notify", "ship", "receive"], "days_ago": 18},
    {"order_ref": "XS-2026-0812-0045", "rep": "rep4", "customer_name": "珠海香洲净水器材经营部",
     "reason": "quality", "reason_detail": "客户称软水器控制阀漏水，要求整机退货。",
     "cost_split": "运费由客户承担。",
     "lines": [("SOFT-2", 1, "9600.00")],
     "complaint": {"batch": "SF-2608-02", "defect": "控制阀接口处渗水，现场判断为安装时密封圈未装好。",
                   "customer_demand": "整机退货退款。",
                   "proposed_handling": "建议上门更换密封圈，不同意整机退货。"},
     "decide": [("supervisor2", "reject", "已超过 90 天退货期，且为安装问题；安排售后上门维修。")],
     "track": [], "days_ago": 12},
    {"order_ref": "XS-2026-1102-0133", "rep": "rep2", "customer_name": "常州龙城净水设备有限公司",
     "reason": "transit_damage", "reason_detail": "石英砂过滤器罐体运输中被压凹。",
     "justification": "物流破损，已拍照留证。",
     "cost_split": "由物流公司理赔。",
     "lines": [("SF-10", 1, "6800.00")],
     "complaint": {"batch": "SF-2610-11", "defect": "罐体侧面凹陷约 5 厘米。",
                   "customer_demand": "退回换新。",
                   "proposed_handling": "同意退换，向物流公司索赔。"},
     "decide": [("supervisor1", "return", "请补充物流签收单照片和凹陷部位特写后重新提交。")],
     "track": [], "days_ago": 5},
]


def seed_returns(users: dict) -> int:
    created = 0
    for spec in DEMOS:
        if db.session.scalar(select(ReturnRequest.id).where(ReturnRequest.order_ref == spec["order_ref"])):
            continue
        _make(spec, users)
        created += 1
    return created


def _make(spec: dict, users: dict) -> ReturnRequest:
    rep, assistant = users[spec["rep"]], users["assistant"]
    products = {p.code: p for p in db.session.scalars(select(Product))}
    lines = [svc.LineInput(products[code].id, qty, Decimal(price)) for code, qty, price in spec["lines"]]
    fields = {k: spec.get(k, "") for k in ("customer_name", "order_ref", "reason", "reason_detail", "justification",
                                            "cost_split")}
    doc = svc.create(rep, fields, lines)
    svc.submit(rep, doc)  # waits for the complaint form
    svc.save_complaint(assistant, doc, {"product_id": lines[0].product_id, **spec["complaint"]})
    svc.add_attachments(assistant, doc, svc.prepare_uploads([("现场照片.png", demo_image("photo-goods"))]), kind="complaint")
    req = svc.approval_request(doc)
    for decision in spec["decide"]:
        username, action, comment = decision if isinstance(decision, tuple) else (decision, "approve", "同意")
        approvals.decide(users[username], req.id, action, comment)
    _track(doc, spec["track"], users)
    _backdate(doc, req, spec["days_ago"])
    _forget_notices(doc, req)
    return doc


def _track(doc: ReturnRequest, steps: list[str], users: dict) -> None:
    assistant, finance = users["assistant"], users["finance"]
    today = now_utc().date()
    for step in steps:
        if step == "notify":
            svc.notify_customer(assistant, doc, "电话通知客户采购部，客户同意按约定发回。")
        elif step == "ship":
            svc.record_shipment(assistant, doc, "顺丰速运", "SF1402339876512", today)
        elif step == "receive":
            svc.record_receipt(assistant, doc, {ln.id: ln.quantity for ln in doc.lines}, today, "")
        elif step == "refund":
            svc.record_refund(finance, doc, "credit", doc.total_amount, today, "红字发票 No.04418822")
        elif step == "close":
            svc.close(assistant, doc)


def _backdate(doc: ReturnRequest, req, days: int) -> None:
    """Spread the stages over the past `days` working days, in office hours, so the demo looks lived in
    (and shows an overdue stage): filed in the morning, decided the next working day, then a stage
    every two days."""
    start = at_work(days, 9, 20)
    doc.created_at = start
    month = start.astimezone(svc.SHANGHAI).strftime("%Y-%m")
    if month != doc.month:
        doc.month = month
        svc._assign_number(doc)  # the number carries the month it was filed in
        req.title = svc.ADAPTER.title(doc)
    filed = start + timedelta(minutes=30 * [e.kind for e in doc.events].index("submitted"))
    req.submitted_at = req.step_started_at = filed
    if doc.submitted_at:
        doc.submitted_at = filed
    last = filed
    for i, decision in enumerate(req.decisions):  # 10:40, 11:50, 15:10 the next working day
        decision.at = last = max(at_work(days - 1, (10, 11, 15, 16)[i % 4], (40, 50, 10, 30)[i % 4]),
                                 last + timedelta(minutes=20))
        req.step_started_at = decision.at
    stage_at = {}
    for k, (name, kind) in enumerate((("signed_at", "signed"), ("notified_at", "notified"), ("shipped_at", "shipped"),
                                      ("received_at", "received"), ("refunded_at", "refunded"),
                                      ("closed_at", "closed"))):
        if getattr(doc, name) is not None:
            stamp = last if kind == "signed" else max(at_work(max(days - 1 - 2 * k, 0), 14, 30),
                                                      last + timedelta(minutes=15))
            setattr(doc, name, stamp)
            stage_at[kind] = last = stamp
    for name, stamp in (("shipped_on", doc.shipped_at), ("received_on", doc.received_at),
                        ("refund_date", doc.refunded_at)):
        if getattr(doc, name) is not None:
            setattr(doc, name, stamp.astimezone(svc.SHANGHAI).date())
    if req.finished_at:
        req.finished_at = doc.signed_at
    for i, event in enumerate(doc.events):
        event.at = stage_at.get(event.kind, start + timedelta(minutes=30 * i))
    doc.complaint.filled_at = next(e.at for e in doc.events if e.kind == "complaint_filled")
    for att in doc.attachments:
        att.uploaded_at = doc.complaint.filled_at
    doc.updated_at = max(e.at for e in doc.events)
    db.session.flush()


def _forget_notices(doc: ReturnRequest, req) -> None:
    forget_notices([f"approval:{req.id}:", f"return:{doc.id}:"])


SEED_HOOKS.append(seed_returns)
