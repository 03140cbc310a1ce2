"""Writes to accounts: users, their roles on areas, passwords and the login throttle.
Each is atomic and writes its audit record in the same transaction."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.audit.log import record
from fengqiao.audit.models import Outcome

from .models import Assignment, LoginThrottle, Role, User


class AccountError(ValueError):
    """A refused change; the message is for the user."""


# --- Login throttle -------------------------------------------------------------


def _throttle_for_update(username: str) -> LoginThrottle:
    throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(username=username)
    return throttle


def _is_locked(throttle: LoginThrottle, now) -> bool:
    return throttle.locked_until is not None and throttle.locked_until > now


def attempt_login(*, request, username: str, password: str) -> User | None:
    """Authenticate unless the username is locked out; count failures and lock after
    ``LOGIN_MAX_FAILURES``. The throttle is keyed by the name typed, whether or not an
    account has it, so that locking reveals nothing about which accounts exist."""
    username = username.strip()[:150]
    now = timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    known = LoginThrottle.objects.filter(username=username).first()
    if known is not None and _is_locked(known, now):
        record("login.locked", actor_name=username, outcome=Outcome.DENIED)
        return None
    # Hashing takes a while: do it before taking the write lock.
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        throttle = _throttle_for_update(username)
        if _is_locked(throttle, now):  # a parallel attempt locked it meanwhile
            record("login.locked", actor_name=username, outcome=Outcome.DENIED)
            return None
        if user is not None:
            throttle.delete()
            record("login.success", actor=user)
            return user
        stale = throttle.last_failure_at is None or throttle.last_failure_at < now - window
        throttle.failures = 1 if stale or throttle.locked_until else throttle.failures + 1
        throttle.last_failure_at = now
        throttle.locked_until = None
        record(
            "login.failure",
            actor_name=username,
            outcome=Outcome.FAILED,
            detail={"failures": throttle.failures},
        )
        if throttle.failures >= settings.LOGIN_MAX_FAILURES:
            throttle.locked_until = now + window
            record(
                "login.lockout",
                actor_name=username,
                outcome=Outcome.DENIED,
                detail={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        throttle.save(update_fields=["failures", "last_failure_at", "locked_until"])
    return None


def record_logout(*, user, reason: str = "logout") -> None:
    """``reason`` is "logout" or "session.timeout"."""
    record(reason, actor=user)


# --- Users -------------------------------------------------------------------------


def _require_user_manager(actor, user: User | None = None) -> None:
    if actor is None:  # system code: the CLI, data migrations, the demo loader
        return
    if not access.may_manage_user(actor, user):
        raise AccountError("无权管理该用户。")


def create_user(
    *, actor, username: str, password: str, full_name: str = "", phone: str = ""
) -> User:
    """A new account; the password must pass the configured validators."""
    _require_user_manager(actor)
    user = User(username=username.strip(), full_name=full_name, phone=phone)
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        if User.objects.filter(username=user.username).exists():
            raise AccountError(f"用户名已存在：{user.username}")
        user.save(force_insert=True)
        record("user.create", actor=actor, obj=user, detail={"username": user.username})
    return user


def update_user(*, actor, user: User, **changes) -> User:
    """Change the profile fields (full_name, phone, email)."""
    _require_user_manager(actor, user)
    allowed = {"full_name", "phone", "email"}
    changed = [k for k, v in changes.items() if k in allowed and getattr(user, k) != v]
    if not changed:
        return user
    with transaction.atomic():
        for name in changed:
            setattr(user, name, changes[name])
        user.save(update_fields=changed)
        record("user.update", actor=actor, obj=user, detail={"fields": changed})
    return user


def set_user_active(*, actor, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account; an inactive account's sessions end."""
    _require_user_manager(actor, user)
    if actor is not None and actor.pk == user.pk and not active:
        raise AccountError("不能停用自己的账号。")
    if user.is_active == active:
        return user
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record("user.activate" if active else "user.deactivate", actor=actor, obj=user)
    access.forget_grants(user)
    return user


def deactivate_user(*, actor, user: User) -> User:
    return set_user_active(actor=actor, user=user, active=False)


def change_password(*, actor, user: User, password: str) -> None:
    """Set a new password (already validated by the form); the hash is Argon2."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record("user.password_change", actor=actor, obj=user)


# --- Roles on areas ----------------------------------------------------------------


def assign_role(*, actor, user: User, area, role: str) -> Assignment:
    """Give ``user`` ``role`` on ``area`` (and so on its subtree)."""
    if role not in Role.values:
        raise AccountError(f"未知角色：{role}")
    if actor is not None:
        access.require(actor, Perm.USER_MANAGE, area)
    with transaction.atomic():
        assignment, created = Assignment.objects.get_or_create(user=user, area=area, role=role)
        if created:
            record(
                "assignment.create",
                actor=actor,
                area=area,
                obj=assignment,
                detail={"user": user.get_username(), "role": role},
            )
    access.forget_grants(user)
    return assignment


def revoke_role(*, actor, assignment: Assignment) -> None:
    if actor is not None:
        access.require(actor, Perm.USER_MANAGE, assignment.area)
    user = assignment.user
    with transaction.atomic():
        record(
            "assignment.revoke",
            actor=actor,
            area=assignment.area,
            obj=assignment,
            detail={"user": user.get_username(), "role": assignment.role},
        )
        assignment.delete()
    access.forget_grants(user)
