from dataclasses import dataclass
from intranet.extensions import db
from intranet.services import approvals as ap
from intranet.services.errors import Forbidden, AlreadyDecided
import pytest

@dataclass
class Doc:
    id: int
    owner: object

DOCS = {}

class DummyAdapter(ap.Adapter):
    def load(self, doc_id): return DOCS[doc_id]
    def owner(self, doc): return doc.owner

def test_flow(app, users):
    ap.register(DummyAdapter("testdoc", "测试单", default_steps=[ap.step_dict("主管", "line_manager"), ap.step_dict("经理", "role", "manager")]))
    DOCS[1] = Doc(1, users["rep1"])
    r = ap.submit(users["rep1"], "testdoc", DOCS[1])
    assert [u.username for u in ap.holders(r)] == ["supervisor1"]
    assert ap.inbox(users["supervisor1"]) == [r]
    assert ap.inbox(users["supervisor2"]) == []
    with pytest.raises(Forbidden):
        ap.decide(users["rep1"], r.id, "approve")
    ap.decide(users["supervisor1"], r.id, "return", "改一下")
    assert r.status == "returned"
    ap.submit(users["rep1"], "testdoc", DOCS[1])
    ap.decide(users["supervisor1"], r.id, "approve", step_index=0)
    with pytest.raises(AlreadyDecided):
        ap.decide(users["supervisor1"], r.id, "approve", step_index=0)
    res = ap.bulk_decide(users["manager"], [r.id, 999], "approve")
    assert res[r.id] is None and res[999]
    assert r.status == "approved"
    db.session.commit()
    from intranet.services.audit import verify
    assert verify() is None
