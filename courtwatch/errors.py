"""The base of every domain error that services raise and views turn into a message.

A service never flashes or redirects; it raises a ``DomainError`` whose message is already
translated and whose ``field`` (when set) names the form field the message belongs next to.
"""


class DomainError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist or the caller may not know that it does (views answer 404)."""
