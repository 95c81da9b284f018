"""The assistant's certificate card and the daily expiry reminder look at a bounded window: expiring
within 30 days, or expired within the last 90 — not every expiry since the company began."""

from datetime import date, timedelta

from intranet.extensions import db
from intranet.models import Customer
from intranet.models.customers import Certificate
from intranet.services import customers as svc

TODAY = date(2026, 11, 18)  # the suite's frozen business date


def _cert(name, expires_on):
    customer = db.session.scalar(db.select(Customer).order_by(Customer.id))
    db.session.add(cert := Certificate(customer=customer, name=name, expires_on=expires_on))
    db.session.flush()
    return cert


def test_window_is_recent_expiries_and_the_next_30_days(app, users):
    db.session.execute(db.delete(Certificate))
    inside = [_cert("许可证甲", TODAY - timedelta(days=svc.EXPIRED_LOOKBACK_DAYS)), _cert("许可证乙", TODAY),
              _cert("许可证丙", TODAY + timedelta(days=30))]
    _cert("许可证丁", TODAY - timedelta(days=svc.EXPIRED_LOOKBACK_DAYS + 1))
    _cert("许可证戊", TODAY + timedelta(days=31))
    _cert("许可证己", None)
    db.session.commit()
    assert [c.id for c in svc.expiring_certificates(TODAY, 30)] == [c.id for c in inside]


def test_card_shows_the_window(app, users, login):
    db.session.execute(db.delete(Certificate))
    _cert("近期过期证", TODAY - timedelta(days=10))
    _cert("早已过期证", TODAY - timedelta(days=400))
    db.session.commit()
    desk = login("assistant").get("/assistant/").text
    assert "近期过期证" in desk and "早已过期证" not in desk
