"""Comparing pages in tests."""

import re

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')


def without_csrf(content: bytes | str) -> str:
    """The page minus its CSRF tokens, which are masked afresh on every response."""
    text = content.decode() if isinstance(content, bytes) else content
    return _CSRF.sub("", text)


def comparable(response) -> str:
    """The page without its CSRF tokens and without its own address, so that the 404 of
    a forbidden record can be compared with the 404 of a missing one."""
    return without_csrf(response.content).replace(response.wsgi_request.path, "/PATH/")
