from django.db.models import Q

from fengqiao.areas import access
from fengqiao.areas.access import Perm

from .models import AuditRecord


def records_visible_to(user):
    """Records in the user's AUDIT_VIEW areas; records tied to no area (logins, for
    instance) only for auditors on a root area."""
    if "" in access.area_paths_for(user, Perm.AUDIT_VIEW):
        return AuditRecord.objects.all()
    q = access.scope_q(user, Perm.AUDIT_VIEW, field="area_path")
    if access.sees_unscoped(user, Perm.AUDIT_VIEW):
        q |= Q(area_path="")
    return AuditRecord.objects.filter(q)
