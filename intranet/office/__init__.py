"""The office registers (办公室登记) at /office/: the archive and its loans, the seal log, notices
and policies, meeting minutes and tasks. One blueprint, one routes module per register; what each
person sees and may do is decided per record by the services."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..web.desk import nav

bp = Blueprint("office", __name__, url_prefix="/office")

EVERYONE = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")

nav("office.notices", _l("办公室"), EVERYONE, order=55)

from . import (  # noqa: E402,F401
    cards,
    demo,
    routes_archive,
    routes_mail,
    routes_notices,
    routes_partners,
    routes_qualifications,
    routes_seal,
    routes_tasks,
    routes_tenders,
)
