"""Service errors shown where the user looks: next to the field, or above the form."""

from flask import flash

from ..services.errors import DomainError


def attach_error(form, exc: DomainError, *, flash_unplaced: bool = True):
    """Put a DomainError next to the field it names and return None; an error that names
    no field of this form is flashed (unless told not to) and returned for the caller to show."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and isinstance(field.errors, list | tuple):
        field.errors = [*field.errors, str(exc.message)]
        return None
    if flash_unplaced:
        flash(exc.message, "error")
    return exc.message
