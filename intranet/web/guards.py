"""Role guards: every view says which roles may call it; the record scope is checked by services."""

import functools

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str):
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorator


ALL_ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
