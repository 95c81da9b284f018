"""Certificates verified (证照查验): a scan, then a check recording who, when and where; a check that
found the certificate not genuine refuses orders until a later check passes."""

import io

import pytest
from order_helpers import customer_of, fields, line, receive
from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import CertificateCheck
from intranet.services import certificates, orders
from intranet.services.errors import DomainError, Forbidden
from intranet.services.samples import InputErrors

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _licence(users, rep="rep3"):
    return customer_of(users, rep).certificates[0]


def test_a_scan_then_a_check_records_who_when_where(app, users):
    cert = _licence(users)
    with pytest.raises(DomainError, match="先上传"):
        certificates.verify(users["assistant"], cert, "国家企业信用信息公示系统", "valid")
    with pytest.raises(DomainError, match="JPG"):
        certificates.upload_scan(users["rep3"], cert, "licence.exe", PNG)
    with pytest.raises(Forbidden):
        certificates.upload_scan(users["rep1"], cert, "licence.png", PNG)  # not rep1's customer
    certificates.upload_scan(users["rep3"], cert, "licence.png", PNG)
    db.session.commit()
    assert cert.scan_name.endswith(".png") and (certificates.scan_dir() / cert.scan_name).read_bytes() == PNG
    with pytest.raises(Forbidden):
        certificates.verify(users["rep3"], cert, "自己看过", "valid")
    with pytest.raises(DomainError, match="查验途径"):
        certificates.verify(users["assistant"], cert, " ", "valid")
    certificates.verify(users["assistant"], cert, "国家企业信用信息公示系统", "valid")
    db.session.commit()
    check = db.session.scalar(select(CertificateCheck).where(CertificateCheck.certificate_id == cert.id))
    assert (check.checked_by_id, check.checked_on, check.checked_where, check.result) == (
        users["assistant"].id, today_local(), "国家企业信用信息公示系统", "valid")
    assert certificates.latest(cert) == check and not certificates.failed(cert)


def test_a_failed_check_refuses_orders_until_a_later_check_passes(app, users):
    receive(users, "SOFT-2", 5)
    cert = _licence(users)
    c = cert.customer
    certificates.upload_scan(users["rep3"], cert, "licence.pdf", b"%PDF-1.4 test")
    with pytest.raises(DomainError, match="写明"):
        certificates.verify(users["manager"], cert, "原件核对", "invalid")
    certificates.verify(users["manager"], cert, "市场监管局网站", "invalid", "注册号查无此企业")
    db.session.commit()
    with pytest.raises(InputErrors) as refused:
        orders.request(users["rep3"], fields(c), [line("SOFT-2", 1)])
    assert "查验不符" in str(refused.value.errors["customer_id"])
    certificates.verify(users["assistant"], cert, "原件核对", "valid", "客户提供新执照")
    db.session.commit()
    assert orders.request(users["rep3"], fields(c), [line("SOFT-2", 1)]).order is not None


def test_certificate_scan_and_check_through_the_web(app, users, login):
    cert = _licence(users)
    rep = login("rep3")
    assert rep.get(f"/orders/certificates/{cert.id}").status_code == 200
    assert login("rep1").get(f"/orders/certificates/{cert.id}").status_code == 404
    bad = rep.post(f"/orders/certificates/{cert.id}/scan", data={"scan": (io.BytesIO(b"x"), "a.txt")},
                   content_type="multipart/form-data")
    assert bad.status_code == 200 and "JPG" in bad.text
    ok = rep.post(f"/orders/certificates/{cert.id}/scan", data={"scan": (io.BytesIO(PNG), "licence.png")},
                  content_type="multipart/form-data")
    assert ok.status_code == 303
    scan = rep.get(f"/orders/certificates/{cert.id}/scan")
    assert scan.data == PNG
    scan.close()
    assert rep.post(f"/orders/certificates/{cert.id}/check", data={"checked_where": "x", "result": "valid"}
                    ).status_code == 403
    desk = login("assistant")
    empty = desk.post(f"/orders/certificates/{cert.id}/check", data={"result": "valid"})
    assert empty.status_code == 200 and "查验途径" in empty.text
    done = desk.post(f"/orders/certificates/{cert.id}/check",
                     data={"checked_where": "国家企业信用信息公示系统", "result": "valid"}, follow_redirects=True)
    assert done.status_code == 200 and "国家企业信用信息公示系统" in done.text and users["assistant"].name in done.text
    assert 'id="cert-checks"' in done.text
