"""A sheet above the in-request limit is checked and saved by a real worker, with progress shown."""

from datetime import timedelta
from io import BytesIO

import time_machine
from openpyxl import Workbook
from redis import Redis

from intranet.extensions import db
from intranet.models import AuditEntry, Customer, ImportBatch
from intranet.services import customer_imports, customers

HX = {"HX-Request": "true"}


def _sheet(n_good: int, bad: int) -> BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(list(customers.IMPORT_COLUMNS))
    for n in range(n_good):
        ws.append([f"批量客户{n:05d}有限公司", "经销商", "意向", "华东区", "rep1", "张三", "138", "", "1,000.00", 30, ""])
    for n in range(bad):
        ws.append([f"坏类型{n}公司", "批发商", "", "", "rep1"])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def _imports_audited() -> int:
    return db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "customer.import"))


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_a_large_import_goes_through_the_worker_with_progress(app, users, login, run_worker):
    total = customer_imports.INLINE_ROWS + 1500
    before, audits = _count(Customer), _imports_audited()
    c = login("supervisor1")
    r = c.post("/customers/import", data={"file": (_sheet(total - 7, 7), "big.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 303 and "/customers/import/batches/" in r.location
    status_url = r.location
    page = c.get(status_url, headers=HX).get_data(as_text=True)
    assert "正在检查：已检查 0 / 2,500 行" in page and 'data-hx-trigger="every 1s"' in page
    # only the uploader sees it; a rep may not import at all
    assert login("manager").get(status_url).status_code == 404
    assert login("rep1").get(status_url).status_code == 403
    assert _count(Customer) == before

    assert run_worker().returncode == 0  # checks the sheet: nothing saved yet
    db.session.expire_all()
    page = c.get(status_url).get_data(as_text=True)
    assert "可导入 2493 行" in page and "有错误 7 行" in page and "类型应为" in page
    assert "every 1s" not in page and _count(Customer) == before

    assert c.post(status_url).status_code == 303  # confirm
    again = c.post(status_url, follow_redirects=True).get_data(as_text=True)
    assert "这批导入已确认过或已失效" in again  # a second click does not import twice
    page = c.get(status_url, headers=HX).get_data(as_text=True)
    assert "正在导入：已保存 0 / 2,493 行" in page

    assert run_worker().returncode == 0
    db.session.expire_all()
    assert _count(Customer) == before + 2493
    assert _imports_audited() == audits + 2493  # one audit entry per imported customer
    page = c.get(status_url).get_data(as_text=True)
    assert "已导入 2493 个客户" in page
    batch = db.session.scalar(db.select(ImportBatch))
    folder = customer_imports.directory()
    assert not any(folder.glob(f"customers-{batch.token}*")), "the upload and the preview are gone"


def test_a_batch_whose_worker_is_gone_says_so(app, users, login, redis_url):
    c = login("assistant")
    r = c.post("/customers/import", data={"file": (_sheet(customer_imports.INLINE_ROWS + 10, 0), "big.xlsx")},
               content_type="multipart/form-data")
    status_url = r.location
    Redis.from_url(redis_url).flushdb()  # the job is lost (a worker killed mid-job, Redis emptied)
    page = c.get(status_url).get_data(as_text=True)
    assert "后台任务已中断" in page and "every 1s" not in page
    with time_machine.travel(timedelta(hours=1)):  # and a stale one is abandoned whatever Redis says
        assert "后台任务已中断" in c.get(status_url).get_data(as_text=True)


def test_a_large_upload_is_refused_while_the_queue_is_down(app, users, login):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    c = login("assistant")
    r = c.post("/customers/import", data={"file": (_sheet(customer_imports.INLINE_ROWS + 10, 0), "big.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 200 and "后台任务服务暂时不可用" in r.get_data(as_text=True)
    batch = db.session.scalar(db.select(ImportBatch))
    assert batch.status == "failed" and not any(customer_imports.directory().glob("customers-*.xlsx"))
