"""Expected status per role for the customer archive's routes (merged into tests/foundation/test_routes_walk.py).

Keys follow the walker: "<METHOD> <endpoint>"; roles are played by rep1 and supervisor1. POSTs are empty.
"""

ANON = None
VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")
EDITORS = ("rep", "supervisor", "manager", "assistant")
IMPORTERS = ("supervisor", "manager", "assistant")


def only(*roles, ok=200, other=403, anon=302):
    return {**{role: ok for role in roles}, "*": other, ANON: anon}


ACCESS = {
    "GET customers.index": only(*VIEWERS),
    "GET customers.new": only(*EDITORS),
    "POST customers.new": only(*EDITORS),  # empty form: errors re-rendered
    "GET customers.detail": only(*VIEWERS),
    "GET customers.interactions": only(*VIEWERS),
    "GET customers.edit": only(*EDITORS),
    "POST customers.edit": only(*EDITORS, ok=303),  # empty POST keeps the stored values
    "POST customers.add_interaction": only(*EDITORS),  # errors re-rendered
    "POST customers.resolve": only(*EDITORS, ok=303),  # missing resolution: flash, back to the page
    "POST customers.change_owner": only("supervisor", "manager", ok=303),
    "POST customers.add_contact": only(*EDITORS),
    "POST customers.add_certificate": only(*EDITORS),
    # sample ids that do not exist: a delete must not change what the next role of the walk sees
    "POST customers.remove_contact": only(*EDITORS, ok=404),
    "POST customers.remove_certificate": only(*EDITORS, ok=404),
    "GET customers.import_upload": only(*IMPORTERS),
    "POST customers.import_upload": only(*IMPORTERS),  # no file: error re-rendered
    "POST customers.import_confirm": only(*IMPORTERS, ok=404),  # unknown token
    "GET customers.import_status": only(*IMPORTERS, ok=404),  # unknown batch
    "POST customers.import_batch_confirm": only(*IMPORTERS, ok=404),
    "GET customers.import_template": only(*IMPORTERS),
    # editing a contact or certificate: the walk's ids are unknown on the customer (404)
    "GET customers.edit_contact": only(*EDITORS, ok=404),
    "POST customers.edit_contact": only(*EDITORS, ok=404),
    "GET customers.edit_certificate": only(*EDITORS, ok=404),
    "POST customers.edit_certificate": only(*EDITORS, ok=404),
    # the enquiry register (咨询登记); the sample enquiry is the demo's 西北区 one the assistant holds:
    # rep1 and supervisor1 neither registered nor hold it (404)
    "GET enquiries.index": only(*VIEWERS),
    "GET enquiries.new": only(*VIEWERS),
    "POST enquiries.new": only(*VIEWERS),  # empty form: errors re-rendered
    "GET enquiries.detail": {**only("manager", "director", "gm", "assistant"), "rep": 404, "supervisor": 404},
    # taken (or refused with a message): back to the page
    "POST enquiries.take": {**only("manager", "director", "gm", "assistant", ok=303), "rep": 404, "supervisor": 404},
    "POST enquiries.close": {**only("manager", "director", "gm", "assistant", ok=303), "rep": 404, "supervisor": 404},
    # no owner chosen for an enquiry the assistant holds: flash, back to the page
    "POST enquiries.convert": {**only("manager", "assistant", ok=303), "rep": 404, "supervisor": 404},
}


def _rep1_customer(users):
    from intranet.extensions import db
    from intranet.models import Customer

    return db.session.scalar(db.select(Customer.id).where(Customer.owner_id == users["rep1"].id).order_by(Customer.id))


def _demo_complaint(users):
    from intranet.extensions import db
    from intranet.models import Interaction

    return db.session.scalar(db.select(Interaction.id).where(Interaction.kind == "complaint").order_by(Interaction.id))


def _demo_enquiry(users):
    from intranet.extensions import db
    from intranet.models import Enquiry

    return db.session.scalar(db.select(Enquiry.id).where(Enquiry.assignee_id == users["assistant"].id)
                             .order_by(Enquiry.id))


PARAMS = {
    "customer_id": _rep1_customer,
    "enquiry_id": _demo_enquiry,
    "interaction_id": _demo_complaint,  # on the same customer as customer_id
    "token": lambda users: "0" * 32,
    "contact_id": lambda users: 999999,
    "certificate_id": lambda users: 999999,
}
