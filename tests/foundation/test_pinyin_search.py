"""Search as Chinese staff search: pinyin initials and full pinyin find customers, people, products."""

import pytest

from intranet.extensions import db
from intranet.models import Customer, Product, User
from intranet.models.search_keys import pinyin_keys


def test_keys_are_stored_on_save_and_follow_a_rename(app, users):
    customer = db.session.scalar(db.select(Customer).where(Customer.name.startswith("上海宏达")))
    assert customer.name_initials.startswith("shhd") and customer.name_pinyin.startswith("shanghaihongda")
    customer.name = "重庆长安汽车销售有限公司"
    db.session.commit()
    stored = db.session.execute(db.select(Customer.name_initials, Customer.name_pinyin)
                                .where(Customer.id == customer.id)).one()
    assert tuple(stored) == pinyin_keys("重庆长安汽车销售有限公司") and stored[0].startswith("cqca")


@pytest.mark.parametrize("q", ["shhd", "SHHD", "shanghai hongda", "shanghaihongda", "hongda", "上海宏达"])
def test_customer_list_finds_by_pinyin_through_the_web(app, users, login, q):
    page = login("manager").get("/customers/", query_string={"q": q}, headers={"HX-Request": "true"}).text
    assert "上海宏达水处理设备有限公司" in page
    assert "广州珠江" not in page


def test_pinyin_search_keeps_each_role_to_its_scope(app, users, login):
    assert "上海宏达" not in login("rep3").get("/customers/?q=shhd").text
    assert "上海宏达" in login("rep1").get("/customers/?q=shhd").text


def test_people_and_products_by_pinyin(app, users, login):
    manager = login("manager")
    person = users["rep1"]
    initials, full = pinyin_keys(person.name)
    assert person.name in manager.get("/org/users", query_string={"q": initials}).text
    assert person.name in manager.get("/org/users", query_string={"q": full}).text
    product = db.session.scalar(db.select(Product).order_by(Product.id))
    found = manager.get("/org/products", query_string={"q": pinyin_keys(product.name)[0]}).text
    assert product.code in found
    other = db.session.scalar(db.select(User).where(User.username == "finance"))
    assert other.name not in manager.get("/org/users", query_string={"q": full}).text.split("<tbody")[-1]
