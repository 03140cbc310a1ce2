"""The append-only, hash-chained audit log.

Each record's hash covers its own fields and the previous record's hash, so changing,
deleting, inserting or reordering any record breaks the chain from that point on
(``fengqiao audit verify``). Records never hold the sensitive values themselves.

Append-only is enforced twice: here (``save`` of an existing record and ``delete``
raise) and in the database (triggers refusing UPDATE and DELETE, see ``triggers``).
Someone with database superuser rights can still drop the triggers and edit rows;
that is exactly what ``verify`` detects.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit record."""


class Outcome(models.TextChoices):
    OK = "ok", _("成功")
    DENIED = "denied", _("拒绝")
    FAILED = "failed", _("失败")


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除。")

    def latest_first(self) -> "AuditRecordQuerySet":
        return self.order_by("-seq")


class AuditRecord(models.Model):
    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"))
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    area_path = models.CharField(max_length=40, blank=True, db_index=True)
    area_name = models.CharField(_("区域"), max_length=100, blank=True)
    action = models.CharField(_("动作"), max_length=60)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    client_ip = models.CharField(_("客户端 IP"), max_length=45, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["seq"]
        indexes = [models.Index(fields=["actor_id", "seq"], name="audit_actor_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除。")


class ChainHead(models.Model):
    """One row holding the last sequence number and hash; locking it serializes the
    chain so that two concurrent writers can never fork it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
