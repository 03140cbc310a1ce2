"""Materialized paths for the area tree.

A path is the concatenation of fixed-width decimal segments, one per level, e.g.
``00001`` (city) → ``0000100003`` (district) → … Digits only, so that ordering is the
same under every collation (SQLite BINARY, PostgreSQL en_US or C) and a subtree is one
index range scan: ``path BETWEEN p AND p || '999…'`` on both databases.
"""

from django.db.models import Q

SEGMENT = 5
MAX_DEPTH = 8
MAX_LENGTH = SEGMENT * MAX_DEPTH
MAX_CHILDREN = 10**SEGMENT - 1


def segment(n: int) -> str:
    if not 1 <= n <= MAX_CHILDREN:
        raise ValueError(f"child number {n} out of range")
    return f"{n:0{SEGMENT}d}"


def upper_bound(path: str) -> str:
    """The largest path inside the subtree rooted at ``path``."""
    return path + "9" * (MAX_LENGTH - len(path))


def subtree_q(field: str, path: str) -> Q:
    """Rows whose ``field`` (a path column) lies in the subtree rooted at ``path``."""
    return Q(**{f"{field}__gte": path, f"{field}__lte": upper_bound(path)})


def any_subtree_q(field: str, paths: list[str]) -> Q:
    """Rows inside any of the subtrees; an empty list matches nothing."""
    q = Q(pk__in=[])
    for p in minimal_roots(paths):
        q |= subtree_q(field, p)
    return q


def minimal_roots(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another path of the list."""
    roots: list[str] = []
    for p in sorted(set(paths)):
        if not roots or not p.startswith(roots[-1]):
            roots.append(p)
    return roots
