"""Demo history: sixty more customers, fifteen per rep, won over the last quarter and before (the customer
list then runs to several pages). Names are built from each region's cities and everyday company
words, contacts from common surnames; every one has a business licence. Idempotent (by name)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import today_local
from ..demo import at_work
from ..extensions import db
from ..models.customers import Certificate, Contact, Customer

# (city, area code) per region: 华东 for rep1/rep2, 华南 for rep3/rep4
CITIES = {
    "rep1": [("上海", "021"), ("杭州", "0571"), ("嘉兴", "0573"), ("湖州", "0572"), ("绍兴", "0575"),
             ("宁波", "0574"), ("温州", "0577"), ("金华", "0579"), ("台州", "0576"), ("舟山", "0580"),
             ("上海", "021"), ("杭州", "0571"), ("宁波", "0574"), ("衢州", "0570"), ("丽水", "0578")],
    "rep2": [("南京", "025"), ("苏州", "0512"), ("无锡", "0510"), ("常州", "0519"), ("南通", "0513"),
             ("扬州", "0514"), ("镇江", "0511"), ("泰州", "0523"), ("徐州", "0516"), ("盐城", "0515"),
             ("合肥", "0551"), ("芜湖", "0553"), ("苏州", "0512"), ("南京", "025"), ("连云港", "0518")],
    "rep3": [("广州", "020"), ("深圳", "0755"), ("东莞", "0769"), ("惠州", "0752"), ("清远", "0763"),
             ("韶关", "0751"), ("广州", "020"), ("深圳", "0755"), ("河源", "0762"), ("肇庆", "0758"),
             ("东莞", "0769"), ("广州", "020"), ("深圳", "0755"), ("惠州", "0752"), ("梅州", "0753")],
    "rep4": [("佛山", "0757"), ("中山", "0760"), ("珠海", "0756"), ("江门", "0750"), ("湛江", "0759"),
             ("茂名", "0668"), ("阳江", "0662"), ("汕头", "0754"), ("潮州", "0768"), ("揭阳", "0663"),
             ("厦门", "0592"), ("泉州", "0595"), ("漳州", "0596"), ("福州", "0591"), ("莆田", "0594")],
}
WORDS = ["恒信", "华泰", "德润", "宏远", "瑞丰", "金泰", "永盛", "海纳", "天元", "康泉", "润泽", "嘉禾", "鑫源",
         "博远", "新纪元", "汇通", "联创", "广元", "盛世", "安泰", "富华", "佳美", "中环", "利达", "兴业", "明珠",
         "正和", "长青", "百川", "新锐"]
# kind, stage, suffix, contact title, credit limit, callback days (one row per customer of a rep, in turn)
PROFILES = [
    ("distributor", "active", "水处理设备有限公司", "总经理", "120000.00", 14),
    ("commercial", "active", "饮料有限公司", "生产部经理", "60000.00", 21),
    ("end_user", "intended", "电子科技有限公司", "厂务经理", "0.00", 30),
    ("agent", "potential", "环保工程有限公司", "业务经理", "30000.00", 30),
    ("commercial", "active", "大酒店有限公司", "工程部经理", "40000.00", 30),
    ("end_user", "active", "制药有限公司", "设备部主任", "0.00", 30),
    ("distributor", "intended", "净水器材经营部", "老板", "50000.00", 14),
    ("end_user", "potential", "纺织印染有限公司", "设备科科长", "0.00", 30),
    ("commercial", "intended", "食品有限公司", "采购经理", "50000.00", 21),
    ("agent", "active", "水务科技有限公司", "副总经理", "80000.00", 14),
    ("end_user", "active", "物业管理有限公司", "工程部主管", "0.00", 30),
    ("commercial", "potential", "矿泉水有限公司", "总经理", "30000.00", 30),
    ("end_user", "dormant", "化工有限公司", "安环部经理", "0.00", 60),
    ("distributor", "active", "环保设备有限公司", "销售经理", "100000.00", 14),
    ("end_user", "intended", "精密机械有限公司", "行政经理", "0.00", 30),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁沈"
GIVEN = ["建华", "海燕", "志明", "丽娟", "国强", "晓东", "秀英", "伟民", "文静", "永康", "春梅", "德明", "小红",
         "立新", "玉兰", "振华", "雪芳", "宏伟", "美玲", "俊杰", "桂英", "学军", "慧敏", "光明", "淑珍", "建军",
         "红霞", "志刚", "晓梅", "家乐"]
REPS = ("rep1", "rep2", "rep3", "rep4")


def history_customers() -> list[tuple]:
    """(name, kind, stage, owner, contact, title, phone, credit, callback days), 15 per rep, fixed."""
    rows = []
    for r, rep in enumerate(REPS):
        for i, (city, area) in enumerate(CITIES[rep]):
            kind, stage, suffix, title, credit, days = PROFILES[i]
            word = WORDS[(i * 7 + r * 11) % len(WORDS)]
            n = r * 15 + i
            contact = SURNAMES[(n * 7) % len(SURNAMES)] + GIVEN[(n * 11 + r) % len(GIVEN)]
            digits = f"{(5 + n * 37) % 8 + 2}{(n * 7919 + 1234567) % 10 ** 7:07d}"
            phone = f"{area}-{digits[:4]} {digits[4:]}"
            rows.append((f"{city}{word}{suffix}", kind, stage, rep, contact, title, phone, credit, days))
    return rows


def seed_history_customers(users) -> int:
    existing = set(db.session.scalars(select(Customer.name)))
    today, created = today_local(), 0
    for n, (name, kind, stage, owner, contact, title, phone, credit, days) in enumerate(history_customers()):
        if name in existing:
            continue
        existing.add(name)
        customer = Customer(name=name, kind=kind, stage=stage, owner=users[owner], region=users[owner].region,
                            credit_limit=Decimal(credit), callback_interval_days=days,
                            last_contact_at=at_work(3 + n % 40, 9 + n % 8, 5 * (n % 12)),
                            created_at=at_work(95 + 4 * n, 10 + n % 6, 10 * (n % 6)))
        customer.contacts.append(Contact(name=contact, title=title, phone=phone))
        customer.certificates.append(Certificate(name="营业执照", number=f"913{n:03d}MA{2 + n % 7}D{4100 + 37 * n}",
                                                 expires_on=today + timedelta(days=180 + 13 * n)))
        db.session.add(customer)
        created += 3
    db.session.flush()
    return created
