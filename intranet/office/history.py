"""Demo history: the office registers' past quarter — letters, faxes, parcels, business email and calls
handed to the people who dealt with them (most acknowledged); the tender searches three times a week and
the tender notices they found, bid or let go, won or lost; and the archive's files of the quarter (the
signed contracts, shipping notices, quality feedback and after-sales receipts, filed with their contents
lists); the notices and policies circulated (read by nearly everyone, signed by the leaders asked to); the
weekly meetings' and other meetings' minutes with their tasks done and checked; and the seal log (uses
approved by the manager and stamped, a few turned down or sent back, the seal signed out to a tender and
back). Made through the real services, then moved to the working days they happened and numbered in date
order. Idempotent (by a correspondence item of a past month)."""

from datetime import timedelta

from sqlalchemy import select

from ..clock import SHANGHAI, local_instant, today_local
from ..demo import forget_notices, next_working_day, restamp_approval, spread, working_days
from ..extensions import db
from ..models import ApprovalRequest, Correspondence, Customer, Region
from ..models.office import Notice, SealUse, Tender
from ..services import approvals, archive, correspondence, minutes, notices, numbering, seals, tenders

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
           ("珠海香洲区学校 净水器集中采购", "珠海市公共资源交易中心", "珠海市香洲区教育局", "华南区", "won"),
           ("绍兴市上虞区供水公司 二次供水消毒设备", "浙江政府采购网", "上虞区供水有限公司", "华东区", "lost"),
           ("广州白云区中小学 直饮水机更新", "广州公共资源交易中心", "广州市白云区教育局", "华南区", "won"),
           ("无锡新区污水处理厂 超滤膜更换", "江苏政府采购网", "无锡新区污水处理有限公司", "华东区", "abandoned"),
           ("中山市人民医院 血透纯水设备", "中山市公共资源交易中心", "中山市人民医院", "华南区", "lost"),
           ("湖州市吴兴区自来水厂 加药装置", "浙江政府采购网", "湖州市吴兴区自来水厂", "华东区", "won"),
           ("深圳宝安区社区健康服务中心 净水设备", "深圳市政府采购中心", "宝安区卫生健康局", "华南区", "lost"),
           ("上海浦东新区学校 饮水设备维保", "上海政府采购网", "浦东新区教育局", "华东区", "won"),
           ("江门市新会区水务 RO 膜组件", "江门市公共资源交易中心", "新会区水务集团", "华南区", "abandoned"),
           ("南通经济开发区 工业纯水系统", "中国采购与招标网", "南通开发区管委会", "华东区", "lost"),
           ("惠州大亚湾石化区 软化水设备", "广东省公共资源交易网", "大亚湾水务有限公司", "华南区", "won"),
           ("常州市武进区医院 中央纯水系统", "江苏政府采购网", "武进区人民医院", "华东区", "won"),
           ("肇庆市端州区学校 净水器采购", "肇庆市公共资源交易中心", "端州区教育局", "华南区", "lost"),
           ("宁波镇海炼化配套 超滤装置", "中国石化物资采购电子商务平台", "镇海炼化公司", "华东区", "open"),
           ("佛山顺德区自来水 紫外线消毒器", "佛山市公共资源交易中心", "顺德区自来水有限公司", "华南区", "open"),
           ("杭州余杭区学校 直饮水设备", "浙江政府采购网", "余杭区教育局", "华东区", "open"),
           ("东莞松山湖 管委会办公楼净水系统", "东莞市公共资源交易中心", "松山湖管委会", "华南区", "open")]
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
    made = []
    for (title, source, buyer, region, outcome), day in zip(TENDERS, days, strict=False):
        rep = users["rep1"] if region == "华东区" else users["rep3"]
        tender = tenders.register(users["assistant"], regions.get(region) or rep.region, rep, {
            "title": title, "source": source, "buyer": buyer, "deadline": today_local() + timedelta(days=1),
            "documents": "营业执照、ISO9001 证书、近三年业绩、产品检测报告"})
        made.append(tender)
        if outcome not in ("abandoned", "open"):
            tenders.file_bid(rep, tender, "标书已按时递交")
        if outcome != "open":
            tenders.decide(users["manager"], tender, outcome, {"won": "中标，待签合同", "lost": "价格分未达第一",
                                                               "abandoned": "资质要求不符，放弃投标"}[outcome])
        tender.created_at, tender.deadline = _at(day, 10), next_working_day(day, 10)
        if tender.bid_filed_at is not None:
            tender.bid_filed_at = _at(next_working_day(day, 8), 16)
    _in_date_order(Tender, [t for t in made if t is not None], lambda t: t.created_at,
                   lambda t: f"ZB{t.created_at.astimezone(SHANGHAI):%Y}-")
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


NOTICES = [
    ("notice", "关于加强应收账款催收工作的通知", "各销售代表接到财务部催款通知单的当天须与客户取得联系，委婉说明欠款情况，并在日报中登记催款结果。"),
    ("policy", "销售日报表填报规定（修订）", "销售代表每天下班前填写销售日报表，内容包括拜访、电话、订单、回款、客户意见及明日计划；主管次日上午批注。"),
    ("notice", "关于严格执行款到发货制度的通知", "发货前销售内勤须通知财务查询货款是否到账，确认到账后方可制单发货。任何人不得先发货后收款。"),
    ("company", "2026 年第三季度销售业绩通报", "第三季度部门完成销售额目标的 96%，华东区超额完成，华南区回款率有待提高。详见附件报表。"),
    ("notice", "关于规范费用报销单据粘贴的通知", "报销单据按费用类别分类粘贴，发票须有单位名称和税号；住宿费须附酒店水单。"),
    ("policy", "样品及宣传品领用管理办法", "样品、彩页和礼品凭领用申请单领取，经主管审批后由销售内勤发放，每月盘点一次。"),
    ("notice", "关于开展年底重点客户回访的通知", "各区域于 12 月 15 日前完成重点客户回访，回访情况填入拜访报告，主管每周抽查。"),
    ("company", "RO-1000 新品技术参数及报价口径", "RO-1000 反渗透设备即日起接受订货，报价须经销售经理审核，最低限价见附件。"),
    ("notice", "关于合同原件及时交财务归档的通知", "合同签订后 3 个工作日内将原件交财务，扫描件上传合同台账，逾期未交的合同不予开票。"),
    ("policy", "客户档案管理规定", "客户档案由销售内勤统一建档，业务员变更客户信息须提交变更申请，经主管审批后生效。"),
    ("notice", "关于 ISO 9001 年度监督审核的通知", "认证中心将于下月到公司进行年度监督审核，请各岗位准备近三个月的记录，销售内勤汇总。"),
    ("notice", "关于调整差旅费报销标准的通知", "自下月起，一线城市住宿标准调整为每晚 450 元，其他城市 350 元，超标部分自理。"),
    ("company", "经销商返利政策（2026 年第四季度）", "第四季度经销商返利按季度回款额的 2%—4% 分档计算，于次季度首月核算兑现。"),
    ("notice", "关于做好质量信息反馈的通知", "客户反映的质量问题须在当天填写质量信息反馈单，销售内勤登记后转技术部，处理结果回执归档。"),
    ("policy", "印章使用登记制度", "用印须填写用印登记并经销售经理批准；印章带离办公室须经保管人和销售经理同意，按期归还。"),
    ("notice", "关于举办 RO 设备安装调试培训的通知", "本周五下午 2 点在三楼会议室举办 RO 设备安装调试培训，全体销售代表参加，不得缺席。"),
    ("notice", "关于报送 2027 年销售计划的通知", "各销售代表于本月 25 日前报送 2027 年分月销售计划，主管汇总后报销售经理。"),
    ("company", "华南区物流合作方调整说明", "华南区零担发货改由华南快运承运，整车仍由德邦物流承运，运费结算方式不变。"),
    ("notice", "关于拜访计划表按时提交的通知", "每月 25 日前提交下月拜访计划表，主管审核后执行；计划外拜访须在报告中注明原因。"),
    ("notice", "关于客户资质证照到期复核的通知", "营业执照、卫生许可证等到期的客户暂停发货，业务员须在到期前 30 天收集新证照。"),
    ("policy", "招投标工作管理办法", "销售内勤每周不少于三次检索招标信息并登记，及时通知相关区域销售代表，标书递交须经销售经理审核。"),
    ("notice", "关于规范接待来访客户的通知", "来访客户由销售内勤登记并通知相关业务员；业务员不在时，内勤负责接待并做好记录。"),
    ("company", "销售部第三季度优秀员工表彰", "经部门评议，周杰、郑爽获评第三季度优秀销售代表，赵敏获评优秀内勤，予以通报表扬。"),
    ("notice", "关于年底对账工作的通知", "请各销售代表于 12 月 10 日前与负责客户完成往来对账，对账函盖章回传销售内勤。"),
]
MEETINGS = [("other", "月度销售分析会", "一、各区域汇报本月销售与回款完成情况\n二、分析未完成原因，制定下月措施\n三、应收账款超 90 天的客户逐一落实责任人"),
            ("other", "质量问题专题会", "一、通报近期客户投诉的滤芯渗漏问题\n二、技术部一周内给出处理方案\n三、销售内勤跟踪质量信息反馈回执"),
            ("other", "华东区经销商座谈会", "一、听取经销商对供货周期和返利政策的意见\n二、整理意见报销售经理\n三、下季度起按月对账")]
WEEKLY = ["一、本周内完成华东区重点客户回访\n二、催收逾期货款，周五前汇报进展", "一、整理本月质量信息反馈\n二、拜访计划表本周五前提交",
          "一、跟进在投标项目，按时递交标书\n二、合同原件本周内交财务", "一、准备新品技术培训资料\n二、核对经销商库存与返利"]
TASKS = [("回访重点客户，确认设备运行情况", "客户现场", "提交拜访报告，经理电话抽查"),
         ("催收逾期货款并登记结果", "", "日报中登记催款结果，财务核对到账"),
         ("整理质量信息反馈并转技术部", "办公室", "查看反馈单回执"),
         ("准备标书并按时递交", "招标单位", "经理审核标书，查看递交回执")]
SEAL_USES = 24
SEAL_DOCS = [("{customer} 购销合同", "合同签订", 2), ("{customer} 报价单", "投标报价", 3),
             ("{customer} 往来对账函", "年底对账", 2), ("{customer} 催款函", "催收货款", 1),
             ("公司资质证明复印件", "投标资格审查", 5), ("法人授权委托书（{customer} 项目）", "投标授权", 1),
             ("{customer} 分销协议", "经销商签约", 2), ("产品检测报告复印件", "客户资料备案", 3)]


def _in_date_order(model, rows, when, stem) -> None:
    """Number the rows in the order they happened (the services number in the order made): the ones
    made here and the base demo's few of today, which would otherwise hold 0001 above last quarter's."""
    rows = sorted({*rows, *db.session.scalars(select(model))}, key=lambda r: (when(r), r.id))
    for row in rows:
        row.number = f"T{row.id}"
    db.session.flush()
    for row in rows:
        row.number = numbering.next_number(model, stem(row), width=3 if model is SealUse else 4)
        db.session.flush()


def _notices(users, days) -> int:
    everyone = notices.people()
    leaders = [users["director"].id, users["gm"].id]
    issuers = [users["manager"], users["assistant"], users["manager"], users["director"]]
    made = []
    for n, ((kind, title, body), day) in enumerate(zip(NOTICES, days, strict=False)):
        issuer = issuers[n % len(issuers)]
        sign = [i for i in leaders if i != issuer.id] if kind == "policy" else []
        # policies and company documents to everyone; a notice to the people it concerns (the sales staff)
        to = everyone if kind != "notice" else [u for u in everyone if u.role in ("rep", "supervisor")]
        notice = notices.circulate(issuer, {"kind": kind, "title": title, "body": body,
                                            "user_ids": [u.id for u in to], "sign_ids": sign})
        notice.issued_at = _at(day, 9, 15 + n % 4 * 10)
        recent = day >= today_local() - timedelta(days=7)
        following = next_working_day(day)
        following = following if following < today_local() else day
        for k, row in enumerate(notice.recipients):
            reader = row.user
            if recent and k % 3 == 0:  # the last week's: a few have not read it yet
                continue
            if row.must_sign:
                notices.sign(reader, notice, "同意，请各部门遵照执行")
                row.signed_at = _at(following, 10, 30)
                row.read_at = row.signed_at
            else:
                notices.acknowledge(reader, notice)
                row.read_at = _at(following if k % 2 else day, 10 + k % 7, 5 * k % 60)
        made.append(notice)
    _in_date_order(Notice, made, lambda x: x.issued_at, lambda x: f"TZ{x.issued_at.astimezone(SHANGHAI):%Y}-")
    return len(made)


def _minutes(users, days) -> int:
    names = "、".join(users[u].name for u in ("manager", "supervisor1", "supervisor2", "assistant", "rep1", "rep2",
                                              "rep3", "rep4"))
    mondays, seen = [], set()
    for day in days:  # the week's first working day
        week = day.isocalendar()[:2]
        if week not in seen:
            seen.add(week)
            mondays.append(day)
    meetings = [("weekly", "销售部周例会", WEEKLY[n % len(WEEKLY)], day) for n, day in enumerate(mondays)]
    meetings += [(kind, title, decisions, day) for (kind, title, decisions), day
                 in zip(MEETINGS * 4, spread(days, 10), strict=False)]
    reps = [users[f"rep{i}"] for i in range(1, 5)]
    for n, (kind, title, decisions, day) in enumerate(sorted(meetings, key=lambda m: m[3])):
        recorder = users["assistant"] if kind == "weekly" else users["manager"]
        row = minutes.record(recorder, {"kind": kind, "title": title, "held_on": day, "attendees": names,
                                        "decisions": decisions})
        row.created_at = _at(day, 11, 40)
        what, place, method = TASKS[n % len(TASKS)]
        task = minutes.assign(users["manager"], row, reps[n % len(reps)], {
            "what": what, "place": place, "check_method": method, "due_on": today_local() + timedelta(days=1)})
        due = next_working_day(day, 4)
        if due < today_local():  # done and checked (each step locks and re-reads the row: stamps after)
            minutes.complete(task.assignee, task, "已完成，详见拜访报告和日报")
            minutes.check(users["manager"], task, True, "已核实")
            task.done_at, task.checked_at = _at(next_working_day(day, 3), 16, 10), _at(due, 9, 40)
        task.created_at, task.due_on = _at(day, 11, 50), due
    return len(meetings)


def _seal_log(users, days) -> int:
    """Uses requested by the reps and the assistant, approved by the manager and stamped the same day;
    a few turned down or sent back; twice the seal taken out to a tender opening and signed back."""
    seal_list = seals.seals()
    if not seal_list:
        return 0
    requesters = [users[n] for n in ("rep1", "rep3", "rep2", "assistant", "rep4", "supervisor1")]
    customers = {u.id: [c.name for c in db.session.scalars(select(Customer).where(Customer.owner_id == u.id)
                                                             .order_by(Customer.id).limit(6))] for u in requesters}
    made = []
    for n, day in enumerate(days):
        who = requesters[n % len(requesters)]
        names = customers[who.id] or ["杭州清源水务"]
        document, purpose, copies = SEAL_DOCS[n % len(SEAL_DOCS)]
        take_out = n % 11 == 5 and who.role != "assistant"
        fields = {"kind": "out" if take_out else "use", "document": document.format(customer=names[n % len(names)]),
                  "purpose": "投标现场递交，开标后带回" if take_out else purpose, "copies": str(copies)}
        if take_out:
            fields["due_back"] = today_local()
        use = seals.request(who, seal_list[0] if n % 4 else seal_list[-1], fields)
        req = seals.approval_request(use)
        if n % 13 == 7:
            approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "reject", "用途与文件不符，请写明用于哪个项目")
        elif n % 13 == 10:
            approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "return", "请写明用印份数及文件页数")
        else:
            while req.status == "pending":
                approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")
        if use.status == "approved":  # the custodian's entries first: they lock and re-read the row
            if take_out:
                seals.sign_out(users["assistant"], use)
                seals.sign_back(users["assistant"], use)
            else:
                seals.log_stamped(users["assistant"], use)
        last = restamp_approval(req, _at(day, 9, 20 + n % 4 * 10), gap=40)
        use.created_at = req.submitted_at
        if use.status == "approved":
            use.approved_at = last
            if take_out:
                use.out_at, use.back_at = _at(day, 14, 30), _at(next_working_day(day), 11)
                use.due_back = next_working_day(day)
            else:
                use.stamped_at = _at(day, 15, 10 + n % 5 * 5)
        made.append(use)
    _in_date_order(SealUse, made, lambda u: u.created_at, lambda u: f"YY{u.created_at.astimezone(SHANGHAI):%Y%m}-")
    for use in made:
        doc_type = seals.OUT_TYPE if use.kind == "out" else seals.USE_TYPE
        seals.approval_request(use).title = approvals.stored_title(approvals.adapter_for(doc_type), use)
    return len(made)


def seed_history_office(users) -> int:
    today = today_local()
    if db.session.scalar(select(Correspondence.id).where(Correspondence.day < today.replace(day=1)).limit(1)):
        return 0
    days = working_days(today - timedelta(days=90), today - timedelta(days=1))
    if not days:
        return 0
    made = _correspondence(users, spread(days, 40))
    made += _searches(users, [d for d in days if d.weekday() in (0, 2, 4)])
    made += _tenders(users, [*spread(days[:-15], len(TENDERS) - 4), *days[-4:]])
    made += _files(users, spread(days, 28))
    made += _notices(users, spread(days, len(NOTICES)))
    made += _minutes(users, days)
    made += _seal_log(users, spread(days, SEAL_USES))
    db.session.flush()
    ids = db.session.scalars(select(ApprovalRequest.id).where(ApprovalRequest.doc_type.in_((seals.USE_TYPE,
                                                                                            seals.OUT_TYPE))))
    forget_notices(["correspondence:", "tender:", "archive-", "notice:", "task", "seal-",
                    *(f"approval:{i}:" for i in ids)])
    return made


__all__ = ["seed_history_office"]
