"""Issuing and revoking API tokens; both are audited. The key is returned once and never
stored: only its SHA-256 is kept."""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fengqiao.audit.log import record
from fengqiao.core.rows import Read, first_of

from .models import ApiToken

KEY_PREFIX = "fq_"
PREFIX_LENGTH = len(KEY_PREFIX) + 6
# Writing last_used_at on every call would make each read a write; a minute is enough
# to tell a live key from a forgotten one.
TOUCH_INTERVAL_SECONDS = 60


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once to whoever asked for it


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(*, actor, user, name: str, actor_name: str = "") -> IssuedToken:
    """A new key for ``user``; the plain key is in the result and nowhere else."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValueError("令牌名称须为 1–100 个字符。")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key)
        )
        record(
            "api_token.issue",
            actor=actor,
            actor_name=actor_name,
            obj=token,
            detail={"user": user.get_username(), "name": name, "prefix": token.prefix},
        )
    return IssuedToken(token=token, key=key)


def revoke_token(*, actor, token: ApiToken, actor_name: str = "") -> ApiToken:
    """Revoke a key for good; revoking twice changes nothing and records nothing."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record(
                "api_token.revoke",
                actor=actor,
                actor_name=actor_name,
                obj=locked,
                detail={"user": locked.user.get_username(), "prefix": locked.prefix},
            )
    token.revoked_at = locked.revoked_at
    return locked


# Every API request reads its token: compiled once (see core.rows.Read).
_LIVE_TOKEN = Read(
    lambda key_hash: first_of(
        ApiToken.objects.live().select_related("user").filter(key_hash=key_hash)
    ),
    str,
)


def token_for_key(key: str) -> ApiToken | None:
    """The live token whose key this is, marked as used; None for anything else."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    token = _LIVE_TOKEN.first(hash_key(key))
    if token is None:
        return None
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() > TOUCH_INTERVAL_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
