"""Demo enquiries through the real service: one from 华南区 (routed to its rep), one from 西北区 (a region
without reps, so the assistant holds it) received this morning, and one from 西北区 two days old that
the scheduled check has passed on to the manager. The notices seeding sent are removed again. Dates
are relative to now, so the demo works on any day. Idempotent."""

from datetime import timedelta

from sqlalchemy import select

from ..clock import now_utc
from ..demo import SEED_HOOKS, _get_or_create, forget_notices
from ..extensions import db
from ..models import Region
from ..models.enquiries import Enquiry
from ..services import enquiries as svc


def seed_enquiries(users: dict) -> int:
    if db.session.scalar(select(Enquiry.id).limit(1)):
        return 0
    south = db.session.scalar(select(Region).where(Region.name == "华南区"))
    northwest, _ = _get_or_create(Region, name="西北区")
    now = now_utc()
    assistant = users["assistant"]
    svc.register(assistant, {"source": "web", "company": "东莞清源电子有限公司", "contact_name": "黄经理",
                             "phone": "0769-2233 4455", "region_id": south.id if south else None,
                             "content": "网上咨询：车间纯水设备 RO-1000 报价及交货期"}, now=now - timedelta(hours=3))
    svc.register(assistant, {"source": "phone", "company": "兰州陇原乳业有限公司", "contact_name": "马主任",
                             "phone": "0931-888 6655", "region_id": northwest.id,
                             "content": "来电咨询：软水器及阻垢剂加药装置"}, now=now - timedelta(hours=2))
    svc.register(assistant, {"source": "exhibition", "company": "西宁高原饮品厂", "contact_name": "李工",
                             "phone": "0971-555 1212", "region_id": northwest.id,
                             "content": "展会留资：超滤净水机组 UF-200"}, now=now - timedelta(days=2))
    svc.escalate_untaken(now)
    forget_notices([svc.TODO])
    return 3


SEED_HOOKS.append(seed_enquiries)
