"""The supervisor desk (/supervisor/). Workflow pages for this role are added to this blueprint."""

from ..web.desk import make_desk_blueprint

bp = make_desk_blueprint("supervisor")
