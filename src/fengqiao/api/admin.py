"""API tokens in the admin: listed for the accounts the admin may manage, never the key;
revoked through ``api.actions`` (audited). Keys are issued with ``fengqiao apitoken``."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.admin import users_visible_to
from fengqiao.accounts.admin_site import ScopedAdmin
from fengqiao.areas import access

from .actions import revoke_token
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request):
        return ApiToken.objects.filter(user__in=users_visible_to(request.user)).select_related(
            "user"
        )

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.select_related("user"):
            if access.may_manage_user(request.user, token.user) and not token.is_revoked:
                revoke_token(actor=request.user, token=token)
                revoked += 1
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": revoked}, messages.SUCCESS)

    def has_change_permission(self, request, obj=None) -> bool:
        # The changelist action needs it; the form has no editable field.
        return self.admin_site.has_permission(request) and access.may_manage_user(
            request.user, obj.user if obj else None
        )
