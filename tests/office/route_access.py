"""Who may call each office endpoint, for the route walk (tests/foundation/test_routes_walk.py).

Sample records are the demo's: the contract file rep1 has consent to read (with a scan), rep1's
consent request, the quality file's overdue loan to supervisor1, rep1's stamped use of the contract
seal, the seal taken by rep2 (supervisor1's report), the policy circulated by the manager (rep1 has
read it, the director is asked to sign), the weekly meeting and its task for rep2. POSTs are empty.
"""

ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
SEAL_ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant")
EDITORS = ("assistant", "manager")
ISSUERS = ("manager", "director", "gm", "assistant")
RECORDERS = ("supervisor", "manager", "director", "gm", "assistant")
READERS = ("rep", "manager", "director", "gm", "assistant")  # of the contract file


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    # archive
    "GET office.archive": _only(*ALL),
    "GET office.archive_new": _only(*EDITORS),
    "POST office.archive_new": _only(*EDITORS),
    "GET office.archive_edit": _only(*EDITORS),
    "POST office.archive_edit": _only(*EDITORS),
    "GET office.archive_file": _only(*ALL),
    "POST office.archive_scan": _only(*EDITORS),
    "GET office.archive_scan_download": _only(*READERS),
    "POST office.archive_access": _only(*ALL),  # empty purpose (or no need to ask): message in place
    "GET office.access_detail": {**{r: 200 for r in ("rep", "supervisor", "manager", "director", "gm", "assistant")},
                                 "*": 404, None: 302},  # supervisor1: rep1's line manager
    "POST office.archive_lend": _only("assistant"),
    "POST office.loan_return": _only("assistant", ok=303),
    "GET office.loans": _only(*ALL),
    # seals
    "GET office.seal_log": _only(*SEAL_ROLES),
    "GET office.seal_new": _only(*SEAL_ROLES),
    "POST office.seal_new": _only(*SEAL_ROLES),
    "GET office.seal_use": {"rep": 200, "manager": 200, "director": 200, "gm": 200, "assistant": 200,
                            "supervisor": 200, "*": 403, None: 302},  # supervisor1: rep1's line manager
    "POST office.seal_stamp": _only("assistant", ok=409),  # stamped already
    "POST office.seal_out": _only("assistant", ok=409),  # a use, not a removal
    "POST office.seal_back": _only("assistant", ok=409),
    "POST office.seal_incident": _only("assistant"),
    # supervisor1 is rep2's line manager: the slip is filed; the others may not file for rep2 (409)
    "POST office.seal_incident_violation": {"supervisor": 303, "manager": 409, "director": 409, "gm": 409,
                                            "*": 403, None: 302},
    # notices
    "GET office.notices": _only(*ALL),
    "GET office.notice_new": _only(*ISSUERS),
    "POST office.notice_new": _only(*ISSUERS),
    "GET office.notice_detail": _only(*ALL),
    # rep1 has read it; the manager issued it (not a recipient)
    "POST office.notice_read": {"rep": 409, "manager": 409, "*": 303, None: 302},
    # the director is asked to sign; the gm only to read (message); the manager is not a recipient
    "POST office.notice_sign": {"director": 303, "gm": 200, "*": 403, None: 302},
    # correspondence: the sample is the demo's phone message for rep1 (the leaders and the assistant
    # see it, only rep1 signs for it)
    "GET office.mail": _only(*ALL),
    "GET office.mail_new": _only("assistant", "manager"),
    "POST office.mail_new": _only("assistant", "manager"),
    "GET office.mail_detail": {**{r: 200 for r in ("rep", "manager", "director", "gm", "assistant")}, "*": 404,
                               None: 302},
    "POST office.mail_ack": {"rep": 303, "manager": 403, "director": 403, "gm": 403, "assistant": 403, "*": 404,
                             None: 302},
    # minutes and tasks
    "GET office.minutes_list": _only(*ALL),
    "GET office.minutes_new": _only(*RECORDERS),
    "POST office.minutes_new": _only(*RECORDERS),
    "GET office.minutes_detail": _only(*ALL),
    "POST office.task_new": _only(*RECORDERS),
    "GET office.tasks": _only(*ALL),
    "GET office.task_detail": {"manager": 200, "director": 200, "gm": 200, "*": 404, None: 302},
    "POST office.task_done": {"manager": 403, "director": 403, "gm": 403, "*": 404, None: 302},
    "POST office.task_check": {"manager": 200, "director": 403, "gm": 403, "*": 404, None: 302},
}


def _one(model, *where):
    from sqlalchemy import select

    from intranet.extensions import db

    return db.session.scalar(select(model.id).where(*where).order_by(model.id))


def _file(users):
    from intranet.models import ArchiveFile

    return _one(ArchiveFile, ArchiveFile.klass == "contract")


def _scan(users):
    from intranet.models import ArchiveScan

    return _one(ArchiveScan, ArchiveScan.file_id == _file(users))


def _access(users):
    from intranet.models import ArchiveAccess

    return _one(ArchiveAccess, ArchiveAccess.user_id == users["rep1"].id)


def _loan(users):
    from intranet.models import ArchiveLoan

    return _one(ArchiveLoan, ArchiveLoan.back_at.is_(None))


def _use(users):
    from intranet.models import SealUse

    return _one(SealUse, SealUse.requested_by_id == users["rep1"].id)


def _incident(users):
    from intranet.models import SealIncident

    return _one(SealIncident, SealIncident.taken_by_id == users["rep2"].id)


def _notice(users):
    from intranet.models import Notice

    return _one(Notice, Notice.issued_by_id == users["manager"].id)


def _minutes(users):
    from intranet.models import Minutes

    return _one(Minutes, Minutes.kind == "weekly")


def _task(users):
    from intranet.models import Task

    return _one(Task, Task.assignee_id == users["rep2"].id)


def _mail(users):
    from intranet.models import Correspondence

    return _one(Correspondence, Correspondence.handler_id == users["rep1"].id)


PARAMS = {
    "mail_id": _mail,
    "file_id": _file,
    "scan_id": _scan,
    "access_id": _access,
    "loan_id": _loan,
    "use_id": _use,
    "incident_id": _incident,
    "notice_id": _notice,
    "minutes_id": _minutes,
    "task_id": _task,
}


def _tender(users):
    from intranet.models import Tender

    return _one(Tender, Tender.assignee_id == users["rep1"].id)


def _partner(users):
    from intranet.models import Partner

    return _one(Partner, Partner.kind == "carrier")


# tenders: the sample is the demo's 华东区 tender assigned to rep1 (open, questions not yet answered)
TENDER_ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant")
ACCESS.update({
    "GET office.tenders": _only(*TENDER_ROLES),
    "GET office.tender_new": _only(*EDITORS),
    "POST office.tender_new": _only(*EDITORS),
    "GET office.tender_detail": _only(*TENDER_ROLES),
    # empty POSTs: the message beside the field (200) for those who work the tender; leaders 403
    "POST office.tender_bid": {"rep": 200, "assistant": 200, "manager": 200, "supervisor": 403, "director": 403,
                               "gm": 403, "*": 403, None: 302},
    "POST office.tender_questions": {"rep": 200, "assistant": 200, "manager": 200, "supervisor": 403,
                                     "director": 403, "gm": 403, "*": 403, None: 302},
    "POST office.tender_answer": {"rep": 200, "assistant": 200, "manager": 200, "supervisor": 403, "director": 403,
                                  "gm": 403, "*": 403, None: 302},
    "POST office.tender_outcome": {"assistant": 200, "manager": 200, "*": 403, None: 302},
    "GET office.tender_searches": _only(*TENDER_ROLES),
    "POST office.tender_searches": _only(*TENDER_ROLES),
    # partners
    "GET office.partners": _only(*ALL),
    "GET office.partner_new": _only(*EDITORS),
    "POST office.partner_new": _only(*EDITORS),
    "GET office.partner_edit": _only(*EDITORS),
    "POST office.partner_edit": _only(*EDITORS),
})
PARAMS.update({"tender_id": _tender, "partner_id": _partner})


def _qualification(users):
    from intranet.models import Qualification

    return _one(Qualification, Qualification.stored_name != "")


# company qualifications: the sample is the demo's business licence with its scan
ACCESS.update({
    "GET office.qualifications": _only(*ALL),
    "GET office.qualification_new": _only(*EDITORS),
    "POST office.qualification_new": _only(*EDITORS),  # empty: the messages beside the fields
    "GET office.qualification_edit": _only(*EDITORS),
    "POST office.qualification_edit": _only(*EDITORS),
    "GET office.qualification_detail": _only(*ALL),
    "POST office.qualification_scan": _only(*EDITORS),  # no file: the message beside the field
    "GET office.qualification_download": _only(*ALL),
})
PARAMS.update({"qual_id": _qualification})


def _tender_file(users):
    from intranet.models import TenderFile

    return _one(TenderFile, TenderFile.tender_id == _tender(users))


# tender documents: the demo's 华东区 tender (rep1's) has one; an empty upload is the message beside the
# field for those who work it, 403 for the others (the permission before any file check)
ACCESS.update({
    "POST office.tender_file": {"rep": 200, "assistant": 200, "manager": 200, "*": 403, None: 302},
    "GET office.tender_file_download": _only(*TENDER_ROLES),
})
PARAMS.update({"tender_file_id": _tender_file})


def _notice_file(users):
    from intranet.models import NoticeFile

    return _one(NoticeFile, NoticeFile.notice_id == _notice(users))


# notice attachments: the demo's policy (the library: everyone downloads); an empty upload is the message
# beside the field for its issuer (the manager) and the assistant, 403 for everyone else
ACCESS.update({
    "POST office.notice_file": {"manager": 200, "assistant": 200, "*": 403, None: 302},
    "GET office.notice_file_download": _only(*ALL),
})
PARAMS.update({"notice_file_id": _notice_file})
