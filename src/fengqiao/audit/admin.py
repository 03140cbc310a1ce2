from django.contrib import admin

from fengqiao.accounts.admin_site import ScopedAdmin
from fengqiao.areas import access
from fengqiao.areas.access import Perm

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(ScopedAdmin):
    """Read-only, like the log itself; scoped like the audit pages."""

    scope_perm = Perm.AUDIT_VIEW
    scope_field = "area_path"
    list_display = ["seq", "at", "actor_name", "action", "outcome", "area_name", "client_ip"]
    list_filter = ["outcome"]
    search_fields = ["actor_name", "action", "object_id"]
    show_full_result_count = False

    def get_queryset(self, request):
        from .queries import records_visible_to

        return records_visible_to(request.user)

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) and access.has_perm(
            request.user, Perm.AUDIT_VIEW
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)
