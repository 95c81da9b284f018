"""The rest of the demo archive: about forty customers across both regions, so the lists page and
every customer a demo return or visit names is in the archive. Idempotent (by name)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import today_local
from ..demo import at_work
from ..extensions import db
from ..models.customers import Certificate, Contact, Customer

# name, kind, stage, owner, contact, title, phone, credit limit, callback days
MORE_CUSTOMERS = [
    ("杭州清源水处理设备有限公司", "distributor", "active", "rep1", "沈建明", "总经理", "0571-8612 3307", "150000.00", 14),
    ("上海浦江商务酒店有限公司", "commercial", "active", "rep1", "顾晓燕", "工程部经理", "021-5108 6621", "60000.00", 30),
    ("嘉兴禾城纺织印染有限公司", "end_user", "intended", "rep1", "褚卫东", "设备科科长", "0573-8226 4410", "0.00", 30),
    ("绍兴越州饮用水有限公司", "commercial", "potential", "rep1", "俞立新", "生产厂长", "0575-8512 9036", "40000.00", 21),
    ("上海闵行区中心医院", "end_user", "active", "rep1", "钱美华", "后勤处处长", "021-6438 2250", "0.00", 30),
    ("湖州太湖环保设备经销部", "distributor", "intended", "rep1", "姚国强", "老板", "0572-2135 7781", "50000.00", 30),
    ("苏州工业园区精工电子有限公司", "end_user", "active", "rep1", "蒋海峰", "厂务经理", "0512-6285 4419", "0.00", 30),
    ("苏州恒润酒店管理有限公司", "commercial", "active", "rep2", "徐静", "采购主管", "0512-6523 8890", "50000.00", 30),
    ("南京紫金山矿泉水有限公司", "commercial", "active", "rep2", "韩志刚", "总经理", "025-8432 6671", "90000.00", 14),
    ("常州龙城净水设备有限公司", "distributor", "active", "rep2", "陆文斌", "销售经理", "0519-8665 2203", "120000.00", 14),
    ("合肥庐州制药有限公司", "end_user", "intended", "rep2", "汪海燕", "设备部主任", "0551-6371 0528", "0.00", 30),
    ("扬州瘦西湖宾馆", "commercial", "potential", "rep2", "卞小军", "工程部主管", "0514-8734 1162", "20000.00", 30),
    ("镇江金山水务工程有限公司", "agent", "intended", "rep2", "严伟", "副总经理", "0511-8502 3349", "60000.00", 30),
    ("南通江海化工有限公司", "end_user", "potential", "rep2", "曹建华", "安环部经理", "0513-8551 7730", "0.00", 30),
    ("深圳南山科技园物业管理有限公司", "commercial", "active", "rep3", "谢婷", "工程部经理", "0755-8615 2294", "50000.00", 30),
    ("广州白云区第一人民医院", "end_user", "active", "rep3", "罗建新", "设备科科长", "020-8636 4471", "0.00", 30),
    ("东莞虎门服装辅料有限公司", "end_user", "intended", "rep3", "莫志坚", "厂长", "0769-8515 6608", "0.00", 30),
    ("广州羊城净水科技有限公司", "distributor", "active", "rep3", "钟伟强", "总经理", "020-3729 8815", "150000.00", 14),
    ("深圳宝安国际会展酒店", "commercial", "intended", "rep3", "潘晓丽", "采购经理", "0755-2788 3340", "40000.00", 30),
    ("惠州大亚湾石化配套服务有限公司", "agent", "potential", "rep3", "丘文华", "业务经理", "0752-5567 1123", "30000.00", 30),
    ("江门五邑食品有限公司", "commercial", "active", "rep3", "甄国华", "生产部经理", "0750-3321 5506", "70000.00", 21),
    ("中山小榄五金制品厂", "end_user", "potential", "rep4", "冼锦辉", "厂长", "0760-2212 7789", "0.00", 30),
    ("佛山南海陶瓷有限公司", "end_user", "active", "rep4", "区志明", "设备主管", "0757-8630 2215", "0.00", 30),
    ("珠海香洲净水器材经营部", "distributor", "active", "rep4", "卢家乐", "老板", "0756-2256 3390", "80000.00", 14),
    ("厦门思明区妇幼保健院", "end_user", "intended", "rep4", "林秀英", "总务科科长", "0592-2663 1078", "0.00", 30),
    ("泉州晋江鞋业有限公司", "end_user", "active", "rep4", "施振南", "行政经理", "0595-8568 4432", "0.00", 30),
    ("汕头潮汕饮料有限公司", "commercial", "dormant", "rep4", "陈少鹏", "采购经理", "0754-8857 2216", "50000.00", 60),
    ("福州闽江水处理工程有限公司", "agent", "active", "rep4", "郑国栋", "总经理", "0591-8730 6654", "90000.00", 14),
]


def seed_more_customers(users) -> int:
    existing = set(db.session.scalars(select(Customer.name)))
    if not existing:  # the first dozen come first (customers/demo.py)
        return 0
    today, created = today_local(), 0
    for n, (name, kind, stage, owner, contact, title, phone, credit, days) in enumerate(MORE_CUSTOMERS):
        if name in existing:
            continue
        customer = Customer(name=name, kind=kind, stage=stage, owner=users[owner], region=users[owner].region,
                            credit_limit=Decimal(credit), callback_interval_days=days,
                            last_contact_at=at_work(2 + n % 9, 9 + n % 8, 10 * (n % 6)),
                            created_at=at_work(60 + 3 * n, 10, 15))
        customer.contacts.append(Contact(name=contact, title=title, phone=phone))
        customer.certificates.append(Certificate(name="营业执照", number=f"9144{n:04d}MA5C{7000 + n}",
                                                 expires_on=today + timedelta(days=420 + 11 * n)))
        db.session.add(customer)
        created += 3
    db.session.flush()
    return created
