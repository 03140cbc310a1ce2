"""Refusals of case actions: a stable code for programs, a Chinese message for people."""

from enum import StrEnum


class ErrorCode(StrEnum):
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    FORBIDDEN = "forbidden"
    INVALID = "invalid"
    REASON_REQUIRED = "reason_required"
    LEAD_LEADER_REQUIRED = "lead_leader_required"
    THREE_FIXES_REQUIRED = "three_fixes_required"
    NO_TARGET = "no_dispatch_target"
    NOT_IN_TREE = "not_in_tree"
    NO_PENDING_EXTENSION = "no_pending_extension"
    EXTENSION_PENDING = "extension_pending"
    EXTENSION_TOO_LATE = "extension_too_late"
    ATTACHMENT_TYPE = "attachment_type"
    ATTACHMENT_SIZE = "attachment_size"
    ID_NUMBER = "invalid_id_number"
    PHONE = "invalid_phone"


class CaseError(ValueError):
    """A refused case action; ``message`` is for the user, ``code`` for the API."""

    def __init__(self, code: ErrorCode, message: str, *, field: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
