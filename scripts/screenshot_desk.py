"""Retake the README screenshot: the demo app on a throw-away SQLite file, headless Chromium.

    .venv/bin/python scripts/screenshot_desk.py [username] [output.png]

Defaults: the manager's desk into docs/screenshot-desk.png at 1280x800. Needs Redis only
for rate limiting (it degrades without it) and Debian's chromium at /usr/bin/chromium.
"""

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from intranet import create_app
from intranet.config import TestConfig
from intranet.demo import seed
from intranet.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def main(username: str = "manager", output: str = str(ROOT / "docs/screenshot-desk.png")) -> None:
    tmp = Path(tempfile.mkdtemp())
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'demo.db'}", INSTANCE_DIR=tmp,
                     DEMO_MODE=True)
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_port}", locale="zh-CN",
                                          viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto("/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "demo123")
            page.click("button.primary")
            page.wait_for_load_state("networkidle")
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=output)
            browser.close()
    finally:
        server.shutdown()
    print(output)


if __name__ == "__main__":
    main(*sys.argv[1:])
