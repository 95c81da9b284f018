"""Demo history: fifteen more returns over the last quarter, in every state (closed with a refund or a
credit note, received, shipped back, waiting for a decision, returned for more evidence, rejected), for
customers in the archive. Made like returns/demo.py (the real services and the approval engine, then the
stages moved to office hours on the days they happened); idempotent by the original order number."""

from datetime import timedelta

from sqlalchemy import select

from ..clock import today_local
from ..extensions import db
from ..models.customers import Customer
from ..models.returns import ReturnRequest
from .demo import _make

# reason, detail, justification, cost split, lines, complaint (batch, defect, demand, handling)
CASES = [
    ("quality", "滤芯使用一周即出现滤材脱落，出水浑浊。", "", "往返运费由我司承担。", [("PP-20", 60, "18.50")],
     ("PP-{ym}-08", "滤材与端盖粘接不牢，部分脱落。", "全部退回并补发合格滤芯。", "同意退回，质检部抽检同批次库存。")),
    ("transit_damage", "到货时设备包装箱严重变形，控制面板屏幕碎裂。", "物流途中损坏，签收单已注明破损。",
     "由物流公司理赔。", [("RO-500", 1, "28600.00")],
     ("RO-{ym}-02", "控制面板屏幕碎裂，机架轻微变形。", "退回换新。", "同意退换，向物流公司索赔。")),
    ("wrong_goods", "订单为 AC-10 活性炭过滤器，到货为 SF-10 石英砂过滤器。", "仓库发错型号，客户项目急用。",
     "退回及补发运费由我司承担。", [("SF-10", 1, "6800.00")],
     ("SF-{ym}-05", "型号不符。", "一周内补发 AC-10。", "同意退货，仓库复核出库单。")),
    ("quality", "紫外线杀菌器运行三天后报警，灯管无法点亮。", "", "运费由我司承担。", [("UV-30", 1, "4300.00")],
     ("UV-{ym}-11", "镇流器故障。", "换新机一台。", "同意退回检测；确认为质量问题后换新。")),
    ("quality", "软水器再生时盐耗异常，出水硬度超标。", "", "运费由我司承担。", [("SOFT-2", 1, "9600.00")],
     ("SO-{ym}-03", "控制阀程序异常，树脂量不足。", "退回整机，冲减货款。", "同意退回，工程部现场复核。")),
    ("transit_damage", "膜元件外壳运输中开裂两支。", "破损已拍照，物流公司确认。", "由物流公司理赔；我司先补发。",
     [("MEM-4040", 2, "1350.00")],
     ("M{ym}-12", "外壳开裂，无法承压。", "补发两支。", "同意退换。")),
    ("wrong_goods", "加药装置规格发错：订单 100L，到货 60L。", "规格不符，客户无法使用。", "退回运费由我司承担。",
     [("DOS-1", 2, "3150.00")],
     ("DOS-{ym}-01", "规格不符。", "退回并补发 100L。", "同意退货补发。")),
    ("quality", "超滤机组膜丝断裂，产水浊度超标。", "", "往返运费由我司承担。", [("UF-200", 1, "12800.00")],
     ("UF-{ym}-06", "膜丝断裂三处。", "退回维修或换新。", "同意退回，厂家检测后定维修或换新。")),
    ("quality", "滤芯尺寸偏短，装入滤壳后密封不严。", "", "运费由客户承担。", [("PP-20", 100, "18.50")],
     ("PP-{ym}-15", "长度偏短约 3 毫米。", "全部退货退款。", "同意退货；通知供应商整改。")),
    ("transit_damage", "石英砂过滤器阀门在运输中撞断。", "物流破损，签收时已拍照。", "由物流公司理赔。",
     [("SF-10", 1, "6800.00")],
     ("SF-{ym}-09", "多路阀手柄断裂，阀体裂纹。", "退回换新。", "同意退换，索赔物流。")),
    ("quality", "活性炭过滤器出水有黑色颗粒。", "", "运费由我司承担。", [("AC-10", 1, "7200.00")],
     ("AC-{ym}-04", "活性炭未充分冲洗，布水器滤帽破损。", "退回更换滤帽并重新装填。", "同意退回处理。")),
    ("quality", "全自动软水器树脂罐底部渗水。", "", "运费由我司承担。", [("SOFT-2", 1, "9600.00")],
     ("SO-{ym}-10", "树脂罐底部焊缝渗漏。", "退回换新罐体。", "同意退回，更换罐体后返还客户。")),
    ("quality", "纯水设备高压泵噪音异常，运行两周后停机。", "", "运费由我司承担。", [("RO-1000", 1, "45800.00")],
     ("RO-{ym}-07", "高压泵轴承损坏。", "退回换新机。", "同意退回，厂家检测确认。")),
    ("wrong_goods", "订单 20 支 MEM-4040，实际到货 30 支。", "多发 10 支，客户不需要。", "退回运费由我司承担。",
     [("MEM-4040", 10, "1350.00")],
     ("M{ym}-18", "数量多发。", "退回多发部分。", "同意退回多发部分，冲减发货单。")),
    ("quality", "紫外线杀菌器石英套管破裂漏水。", "", "运费由我司承担。", [("UV-30", 2, "4300.00")],
     ("UV-{ym}-14", "石英套管裂纹。", "换新两台。", "同意退换。")),
]
# (days ago, decisions, tracked stages)
STATES = [
    (84, "full", ["notify", "ship", "receive", "refund", "close"]),
    (78, "full", ["notify", "ship", "receive", "refund", "close"]),
    (71, "full", ["notify", "ship", "receive", "refund", "close"]),
    (66, "full", ["notify", "ship", "receive", "refund", "close"]),
    (60, [("supervisor", "reject", "超过退货期限且非质量问题，安排售后上门处理。")], []),
    (55, "full", ["notify", "ship", "receive", "refund", "close"]),
    (49, "full", ["notify", "ship", "receive", "refund"]),
    (43, "full", ["notify", "ship", "receive", "refund", "close"]),
    (37, "full", ["notify", "ship", "receive"]),
    (31, "full", ["notify", "ship", "receive", "refund", "close"]),
    (26, "full", ["notify", "ship"]),
    (20, [("supervisor", "return", "请补充现场照片和出水检测数据后重新提交。")], []),
    (15, "full", ["notify"]),
    (10, ["supervisor"], []),
    (6, [], []),
]
REPS = (("rep1", "supervisor1"), ("rep2", "supervisor1"), ("rep3", "supervisor2"), ("rep4", "supervisor2"))


def seed_history_returns(users) -> int:
    today, created = today_local(), 0
    for n, ((reason, detail, justification, cost, lines, complaint), (days, decide, track)) in enumerate(
            zip(CASES, STATES, strict=True)):
        rep_name, boss = REPS[n % 4]
        ym = f"{today - timedelta(days=days):%y%m}"
        order_ref = f"XS-{today - timedelta(days=days + 12):%Y-%m%d}-{300 + 17 * n:04d}"
        if db.session.scalar(select(ReturnRequest.id).where(ReturnRequest.order_ref == order_ref)):
            continue
        customers = list(db.session.scalars(select(Customer.name).where(Customer.owner_id == users[rep_name].id)
                                            .order_by(Customer.id)))
        if not customers:
            continue
        if decide == "full":
            decide = [boss, "director", "gm"]
        else:
            decide = [(boss, *d[1:]) if isinstance(d, tuple) else boss for d in decide]
        batch, defect, demand, handling = complaint
        _make({"order_ref": order_ref, "rep": rep_name, "customer_name": customers[(n * 5 + 2) % len(customers)],
               "reason": reason, "reason_detail": detail, "justification": justification, "cost_split": cost,
               "lines": lines, "complaint": {"batch": batch.format(ym=ym), "defect": defect, "customer_demand": demand,
                                             "proposed_handling": handling},
               "decide": decide, "track": track, "days_ago": days}, users)
        created += 1
    return created
