"""The one exception type the web layer turns into a message next to the field."""


class DomainError(Exception):
    """A rule was broken; `message` is already translated (or a lazy string), `field` optional."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class AlreadyDecided(DomainError):
    """Someone else acted on the document first (concurrency)."""


class Forbidden(DomainError):
    """The actor may not do this to this record."""
