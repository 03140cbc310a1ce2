"""Masked display of sensitive values: enough to recognise a person, not to use the
number. Everything shown on a page goes through these unless the user unmasked it."""


def mask_id(value: str) -> str:
    """``150621199001011234`` → ``1506**********1234``."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; ``0477-8123456`` → ``0477-***3456``."""
    if not value:
        return ""
    prefix, sep, number = value.rpartition("-")
    if sep:
        return f"{prefix}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    if len(value) <= 7:
        return "*" * (len(value) - 4) + value[-4:] if len(value) > 4 else "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
