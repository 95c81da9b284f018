"""The archive's scans in Chromium: the assistant uploads a scan to a file (a wrong file type is
refused in place); rep1 sees neither the scan nor the contents, and the download answers 403,
until the manager consents to rep1's request; then the scan downloads byte for byte."""

import pytest
from conftest import PHONE, browser_login, screenshot
from office_helpers import SECRET, restricted_file
from playwright.sync_api import expect
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import ArchiveAccess, ArchiveScan

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


@pytest.mark.browser
def test_scan_upload_and_consented_download(page, as_user, users):
    file = restricted_file(users, title="华东区经销协议档案")
    url = f"/office/archive/{file.id}"

    browser_login(page, "assistant")
    page.goto(url)
    page.set_input_files("#scan-form input[type=file]", files=[{"name": "说明.txt", "mimeType": "text/plain",
                                                                 "buffer": b"not a scan"}])
    page.click("#scan-form button")
    expect(page.locator("#scan-form .error").first).to_be_visible()
    page.set_input_files("#scan-form input[type=file]", files=[{"name": "协议首页.png", "mimeType": "image/png",
                                                                 "buffer": PNG}])
    page.click("#scan-form button")
    expect(page.locator(".flash").first).to_contain_text("扫描件已上传")
    expect(page.get_by_role("link", name="协议首页.png")).to_be_visible()
    scan = db.session.scalar(select(ArchiveScan).where(ArchiveScan.file_id == file.id, ArchiveScan.filename.like("%png")))
    download = f"{url}/scans/{scan.id}"

    rep1 = as_user("rep1", viewport=PHONE)
    rep1.goto(url)
    expect(rep1.locator("body")).not_to_contain_text(SECRET)
    expect(rep1.get_by_role("link", name="协议首页.png")).to_have_count(0)
    assert rep1.request.get(download).status == 403
    rep1.fill("#access-form input[name=purpose]", "核对经销协议付款条款")
    rep1.click("#request-access")
    expect(rep1.locator(".flash").first).to_contain_text("等待部门领导同意")
    screenshot(rep1, "office-archive-access-requested-phone")

    access = db.session.scalar(select(ArchiveAccess).where(ArchiveAccess.file_id == file.id))
    manager = as_user("manager")
    manager.goto(f"/office/archive/access/{access.id}")
    manager.locator(".decision-form button[value=approve]").click()
    expect(manager.locator(".page-head h1 .status")).to_have_text("已同意")

    rep1.goto(url)
    expect(rep1.locator("body")).to_contain_text(SECRET)
    with rep1.expect_download() as fetched:
        rep1.get_by_role("link", name="协议首页.png").click()
    with open(fetched.value.path(), "rb") as fetched_file:
        assert fetched_file.read() == PNG
    screenshot(rep1, "office-archive-readable-phone")
