"""Acceptance 6 in Chromium: the assistant requests a monthly report, watches its progress (HTMX
polling a real RQ worker), then sees the chart and downloads the Excel, which reopens."""

import os
import signal

import pytest
from conftest import browser_login, screenshot
from live_worker import start_worker
from openpyxl import load_workbook
from playwright.sync_api import expect


@pytest.mark.browser
def test_assistant_requests_a_monthly_report_sees_progress_chart_and_downloads(page, app, tmp_path):
    worker = start_worker(app, "worker", REPORT_STEP_SECONDS="1")  # slow enough to watch the bar move
    try:
        browser_login(page, "assistant")
        page.goto("/reports/")
        page.select_option("select[name=scope]", "all")
        page.click("#report-request button.primary")
        expect(page.locator("#progress progress")).to_be_visible(timeout=20000)
        expect(page.locator("#progress .progress-value")).to_contain_text("%")
        screenshot(page, "report-center-progress")
        expect(page.locator("#progress canvas[data-chart]")).to_be_visible(timeout=60000)
        page.wait_for_function("document.querySelector('#progress canvas').dataset.chartDrawn === '1'",
                               timeout=20000)
        expect(page.locator("#report-table tfoot")).to_contain_text("合计")
        screenshot(page, "report-center-chart")
        with page.expect_download() as info:
            page.click("#download")
        path = tmp_path / "report.xlsx"
        info.value.save_as(path)
        ws = load_workbook(path).active
        assert ws.cell(2, 1).value == "区域" and ws.cell(ws.max_row, 1).value == "合计"
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "report-center-chart-phone")
    finally:
        if worker.poll() is None:
            os.killpg(os.getpgid(worker.pid), signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except Exception:  # noqa: BLE001 — a worker that ignores SIGTERM is killed
                os.killpg(os.getpgid(worker.pid), signal.SIGKILL)
                worker.wait(timeout=10)
        worker.stdout.close()
        worker.stderr.close()
