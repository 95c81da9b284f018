"""Demo customers: a dozen across the four reps, with contacts and one certificate expiring soon."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import now_utc, today_local
from ..extensions import db
from ..models.customers import Certificate, Contact, Customer

# name, kind, stage, owner, contact, title, phone, credit limit, callback days
CUSTOMERS = [
    ("上海宏达水处理设备有限公司", "distributor", "active", "rep1", "陈国华", "采购经理", "021-6234 5678", "200000.00", 14),
    ("苏州清源环保科技有限公司", "agent", "intended", "rep1", "刘晓梅", "总经理", "0512-6578 1234", "80000.00", 30),
    ("杭州西湖区人民医院", "end_user", "active", "rep1", "王建平", "设备科科长", "0571-8790 2345", "0.00", 30),
    ("南京金陵食品有限公司", "commercial", "potential", "rep2", "赵磊", "厂长", "025-8456 7890", "50000.00", 21),
    ("无锡太湖净水工程有限公司", "distributor", "active", "rep2", "孙丽华", "销售总监", "0510-8123 4567", "150000.00", 14),
    ("宁波北仑港务集团", "end_user", "dormant", "rep2", "周海涛", "后勤主管", "0574-8678 9012", "0.00", 60),
    ("广州珠江饮料有限公司", "commercial", "active", "rep3", "黄志明", "生产部经理", "020-3456 7890", "120000.00", 14),
    ("深圳鹏城水务科技有限公司", "agent", "intended", "rep3", "林芳", "副总经理", "0755-2678 3456", "60000.00", 30),
    ("东莞长安电子厂", "end_user", "potential", "rep3", "何永强", "设备主管", "0769-8532 1098", "0.00", 30),
    ("佛山顺德净化设备经销部", "distributor", "active", "rep4", "梁伟", "老板", "0757-2233 4455", "100000.00", 14),
    ("珠海横琴酒店管理有限公司", "commercial", "intended", "rep4", "邓丽君", "工程部经理", "0756-8899 0011", "30000.00", 30),
    ("厦门鹭岛纯水有限公司", "agent", "potential", "rep4", "吴建华", "总经理", "0592-5566 7788", "0.00", 30),
]


def seed_customers(users) -> int:
    if db.session.scalar(select(Customer.id).limit(1)) is not None:
        return 0
    today = today_local()
    created = 0
    for n, (name, kind, stage, owner, contact, title, phone, credit, days) in enumerate(CUSTOMERS):
        customer = Customer(name=name, kind=kind, stage=stage, owner=users[owner], region=users[owner].region,
                            credit_limit=Decimal(credit), callback_interval_days=days,
                            last_contact_at=now_utc() - timedelta(days=5 + 3 * n))
        customer.contacts.append(Contact(name=contact, title=title, phone=phone,
                                         birthday=today.replace(year=1984) if n == 0 else None))
        customer.certificates.append(Certificate(name="营业执照", number=f"91310000MA1K{n:04d}",
                                                 expires_on=today + timedelta(days=20 if n == 0 else 400 + n)))
        db.session.add(customer)
        created += 3
    db.session.flush()
    return created


def seed_complaint(users) -> int:
    """One open complaint on rep1's first customer, so the supervisor's desk has something to show."""
    from ..models.customers import Interaction

    if db.session.scalar(select(Interaction.id).where(Interaction.kind == "complaint").limit(1)) is not None:
        return 0
    customer = db.session.scalar(select(Customer).where(Customer.name == CUSTOMERS[0][0]))
    if customer is None:
        return 0
    db.session.add(Interaction(customer=customer, kind="complaint", author=users["rep1"], assignee=users["rep1"],
                               text="上批滤芯到货包装破损，客户要求补发", deadline=today_local() + timedelta(days=3)))
    return 1
