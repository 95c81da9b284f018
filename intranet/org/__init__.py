"""Org and reference data (/org/): people, product catalog, rule settings, audit log."""

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/org")

from . import routes  # noqa: E402,F401
