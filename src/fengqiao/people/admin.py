from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.admin_site import ScopedAdmin

from .masking import mask_id, mask_phone
from .models import Person


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    """Read-only and masked: people are edited on the people pages, and unmasking is a
    separate, audited permission the admin role does not carry."""

    scope_field = "area_path"
    list_display = ["name", "masked_id_number", "masked_phone", "area"]
    search_fields = ["name"]
    list_select_related = ["area"]
    fields = ["name", "sex", "ethnicity", "masked_id_number", "masked_phone", "address", "area"]
    readonly_fields = ["masked_id_number", "masked_phone"]
    show_full_result_count = False

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj) -> str:
        return mask_id(obj.id_number)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone)
