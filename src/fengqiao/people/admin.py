from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.admin_site import ScopedAdmin
from fengqiao.areas import access
from fengqiao.areas.access import Perm

from . import actions
from .masking import mask_id, mask_phone
from .models import Person

EDITABLE_HERE = ["name", "sex", "ethnicity", "address", "area"]


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    """Masked: the ID number and phone are shown masked and changed only on the people
    pages (unmasking is a separate, audited permission the admin role does not carry).
    Other fields are saved through ``people.actions.update_person``."""

    scope_field = "area_path"
    list_display = ["name", "masked_id_number", "masked_phone", "area"]
    search_fields = ["name"]
    list_select_related = ["area"]
    fields = [*EDITABLE_HERE, "masked_id_number", "masked_phone"]
    readonly_fields = ["masked_id_number", "masked_phone"]
    show_full_result_count = False

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj) -> str:
        return mask_id(obj.id_number)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    def has_change_permission(self, request, obj=None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        return access.has_perm(request.user, Perm.PERSON_EDIT, obj.area if obj else None)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = access.visible_areas(request.user, Perm.PERSON_EDIT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        original = Person.objects.select_related("area").get(pk=obj.pk)
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in EDITABLE_HERE}
        actions.update_person(actor=request.user, person=original, **changes)
