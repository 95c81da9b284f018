"""Tenders (招投标): a notice reaches its rep, who files the bid and answers the questions; the outcome
once, by the assistant or the manager; reps see only their region's and their own tenders; the
weekly search check reminds the assistant and the manager once when too few searches were logged."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from intranet import clock
from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import AuditEntry, Email, Tender, TenderSearch, Todo
from intranet.services import tenders


def _south(users, title="肇庆水务 超滤设备采购"):
    tender = tenders.register(users["assistant"], users["rep3"].region, users["rep3"], {
        "title": title, "source": "广东省公共资源交易网", "buyer": "肇庆市水务局",
        "deadline": today_local() + timedelta(days=7), "documents": "营业执照"})
    db.session.commit()
    return tender


def test_a_tender_reaches_its_rep_who_files_the_bid_and_the_outcome_is_recorded_once(app, users, login):
    assistant = login("assistant")
    response = assistant.post("/office/tenders/new", data={
        "title": "湛江供水 反渗透设备招标", "region_id": users["rep3"].region_id, "assignee_id": users["rep3"].id,
        "source": "中国采购与招标网", "buyer": "湛江市供水公司", "deadline": (today_local() + timedelta(days=9)).isoformat()})
    assert response.status_code == 303
    tender = db.session.scalar(select(Tender).where(Tender.title == "湛江供水 反渗透设备招标"))
    todo = db.session.scalar(select(Todo).where(Todo.key == f"tender:{tender.id}:u{users['rep3'].id}"))
    assert todo is not None and "湛江市供水公司" in todo.text
    assert login("rep1").get(f"/office/tenders/{tender.id}").status_code == 404  # another region, not rep1's
    rep3 = login("rep3")
    assert "湛江供水 反渗透设备招标" in rep3.get("/rep/").get_data(as_text=True)  # on the desk
    assert "请填写递交情况" in rep3.post(f"/office/tenders/{tender.id}/bid", data={"bid_note": ""}).get_data(as_text=True)
    assert rep3.post(f"/office/tenders/{tender.id}/bid", data={"bid_note": "正本 1 份副本 4 份，现场递交"}).status_code == 303
    assert "已于" in rep3.post(f"/office/tenders/{tender.id}/bid", data={"bid_note": "再来"}).get_data(as_text=True)
    assert rep3.post(f"/office/tenders/{tender.id}/outcome", data={"outcome": "won"}).status_code == 403
    assert assistant.post(f"/office/tenders/{tender.id}/outcome", data={"outcome": "won",
                                                                         "outcome_note": "中标价 ¥86 万"}).status_code == 303
    html = login("manager").post(f"/office/tenders/{tender.id}/outcome", data={"outcome": "lost"}).get_data(as_text=True)
    assert "已登记结果" in html
    db.session.expire_all()
    tender = db.session.get(Tender, tender.id)
    assert tender.outcome == "won" and tender.bid_note == "正本 1 份副本 4 份，现场递交"
    assert db.session.scalar(select(Todo.done).where(Todo.key == f"tender:{tender.id}:u{users['rep3'].id}")) is True
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == tender.id,
                                                                    AuditEntry.action.startswith("tender."))))
    assert {"tender.register", "tender.bid", "tender.outcome"} <= actions


def test_reps_see_their_region_and_their_own_leaders_all(app, users, login):
    south = _south(users)
    east = db.session.scalar(select(Tender).where(Tender.assignee_id == users["rep1"].id))
    rep2 = login("rep2")  # 华东区, not assigned
    listed = rep2.get("/office/tenders").get_data(as_text=True)
    assert east.number in listed and south.number not in listed
    assert rep2.get(f"/office/tenders/{east.id}").status_code == 200
    assert rep2.get(f"/office/tenders/{south.id}").status_code == 404
    assert rep2.post(f"/office/tenders/{east.id}/bid", data={"bid_note": "x"}).status_code == 403  # not rep2's
    assert rep2.get(f"/office/tenders/{south.id}?format=xlsx").status_code == 404
    export = rep2.get("/office/tenders?format=xlsx")
    assert export.mimetype.endswith("sheet") and south.title.encode() not in export.get_data()
    for role in ("supervisor2", "director", "assistant"):
        assert south.number in login(role).get("/office/tenders").get_data(as_text=True)
    assert login("finance").get("/office/tenders").status_code == 403


def test_questions_are_answered_by_the_assignee(app, users, login):
    tender = _south(users)
    rep3 = login("rep3")
    html = rep3.post(f"/office/tenders/{tender.id}/questions", data={"questions": ""}).get_data(as_text=True)
    assert "请填写答疑或质疑事项" in html and "请填写答复截止日期" in html
    assert rep3.post(f"/office/tenders/{tender.id}/questions", data={
        "questions": "业主质疑：产水量偏离", "answer_by": (today_local() + timedelta(days=2)).isoformat()}).status_code == 303
    assert "答疑待答复" in rep3.get("/rep/").get_data(as_text=True)
    assert rep3.post(f"/office/tenders/{tender.id}/answer", data={"answer": "已书面澄清，无偏离"}).status_code == 303
    assert "已答复" in rep3.post(f"/office/tenders/{tender.id}/answer", data={"answer": "再次"}).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tender, tender.id).answer == "已书面澄清，无偏离"


def test_bad_input_stays_beside_the_fields_and_nothing_is_saved(app, users, login):
    before = db.session.scalar(select(func.count(Tender.id)))
    html = login("manager").post("/office/tenders/new", data={"title": "", "source": "x" * 200, "deadline": ""},
                                 headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "请填写项目名称" in html and "请选择区域" in html and "请填写投标截止日期" in html and "不能超过" in html
    assert db.session.scalar(select(func.count(Tender.id))) == before
    assert login("rep1").get("/office/tenders/new").status_code == 403


def test_the_search_log(app, users, login):
    rep1 = login("rep1")
    html = rep1.post("/office/tenders/searches", data={"day": today_local().isoformat(), "sources": "",
                                                       "found": "abc"}).get_data(as_text=True)
    assert "请填写检索的来源" in html and "请填写 0 到 1000 的整数" in html
    assert rep1.post("/office/tenders/searches", data={"day": today_local().isoformat(), "sources": "浙江政府采购网",
                                                       "found": "３"}).status_code == 303
    row = db.session.scalar(select(TenderSearch).where(TenderSearch.user_id == users["rep1"].id))
    assert row.found == 3 and row.sources == "浙江政府采购网"
    assert "本周已登记检索 3 次" in rep1.get("/office/tenders/searches").get_data(as_text=True)  # 2 demo + this


def _week_keys(start: date, users):
    return [f"tender-searches:{start.isoformat()}:u{users[n].id}" for n in ("assistant", "manager")]


def test_too_few_searches_last_week_are_reminded_once(app, users):
    # 2026-11-18 (Wednesday): last week is 11-09..11-15, with no searches logged
    now = clock.now_utc()
    keys = _week_keys(date(2026, 11, 9), users)
    assert tenders.check_last_week(now) == 2
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Email).where(Email.key.in_(keys))) == 2
    todo = db.session.scalar(select(Todo).where(Todo.key == keys[0]))
    assert "只登记了 0 次" in todo.text and "3 次" in todo.text
    assert tenders.check_last_week(now) == 0  # a second run that week reminds nobody again


def test_enough_searches_remind_nobody(app, users):
    for day in (10, 11, 12):
        tenders.log_search(users["assistant"], {"day": date(2026, 11, day), "sources": "中国采购与招标网", "found": 1})
    db.session.commit()
    assert tenders.check_last_week(clock.now_utc()) == 0
    # the week after: only the demo's two searches this week (11-16..11-22) → reminded
    next_week = datetime(2026, 11, 23, 1, 0, tzinfo=clock.SHANGHAI)
    assert tenders.check_last_week(next_week) == 2
    assert db.session.scalar(select(func.count()).select_from(Todo)
                             .where(Todo.key.in_(_week_keys(date(2026, 11, 16), users)))) == 2


def test_tender_documents_permission_before_the_file(app, users, login):
    import io

    from intranet.models import TenderFile

    tender = _south(users, "茂名水务 招标文件测试")
    pdf = b"%PDF-1.4\n% bid\n%%EOF\n"

    def upload(client, data, name):
        return client.post(f"/office/tenders/{tender.id}/files", data={"scan": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    supervisor = login("supervisor1")  # sees every tender, does not work this one
    assert supervisor.get(f"/office/tenders/{tender.id}").status_code == 200
    assert upload(supervisor, b"not a pdf at all", "bad.exe").status_code == 403  # 403 even for a bad file
    assert upload(supervisor, pdf, "ok.pdf").status_code == 403
    assert supervisor.post(f"/office/tenders/{tender.id}/files", data={}).status_code == 403  # and for no file
    assert upload(login("rep1"), pdf, "ok.pdf").status_code == 404  # another region: not even seen
    rep3 = login("rep3")
    bad = upload(rep3, b"not a pdf at all", "bad.exe")
    assert bad.status_code == 200 and "PDF 格式" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TenderFile.id)).where(TenderFile.tender_id == tender.id)) == 0
    assert upload(rep3, pdf, "投标文件.pdf").status_code == 303
    row = db.session.scalar(select(TenderFile).where(TenderFile.tender_id == tender.id))
    assert row.filename == "投标文件.pdf" and row.uploaded_by_id == users["rep3"].id
    url = f"/office/tenders/{tender.id}/files/{row.id}"
    for username in ("rep3", "director", "supervisor1", "assistant"):
        response = login(username).get(url)
        assert response.status_code == 200 and response.data == pdf
    assert login("rep1").get(url).status_code == 404
    other = _south(users, "另一个招标")
    assert login("rep3").get(f"/office/tenders/{other.id}/files/{row.id}").status_code == 404  # not this tender's file
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "tender.file",
                                                         AuditEntry.object_id == row.id)) is not None
