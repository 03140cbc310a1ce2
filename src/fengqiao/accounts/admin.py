"""Admin for users, their roles on areas and the area tree (read-only here; the tree
is edited through the areas pages). Saves go through ``accounts.actions``."""

from django import forms
from django.contrib import admin
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area

from . import actions
from .admin_site import ScopedAdmin
from .models import Assignment, User


def users_visible_to(actor):
    """Users holding a role inside the actor's admin areas, plus accounts with no role
    yet (so that a new account can be given one)."""
    qs = User.objects.all()
    if access.sees_unscoped(actor, Perm.ADMIN_SITE):
        return qs
    in_scope = access.scope(Assignment.objects.all(), actor, Perm.ADMIN_SITE)
    return qs.filter(Q(pk__in=in_scope.values("user_id")) | Q(assignments__isnull=True)).distinct()


class UserCreateForm(forms.ModelForm):
    password1 = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["username", "full_name", "phone"]

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            try:
                validate_password(p1, User(username=data.get("username", "")))
            except forms.ValidationError as e:
                self.add_error("password1", e)
        return data


@admin.register(User)
class UserAdmin(ScopedAdmin):
    list_display = ["username", "full_name", "is_active", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["username", "full_name"]
    readonly_fields = ["username", "last_login", "date_joined"]
    fields = ["username", "full_name", "phone", "email", "is_active", "last_login", "date_joined"]

    def get_queryset(self, request):
        return users_visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return UserCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "full_name", "phone", "password1", "password2"]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_add_permission(self, request) -> bool:
        return self.admin_site.has_permission(request) and access.may_manage_user(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        return access.may_manage_user(request.user, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = actions.create_user(
                actor=request.user,
                username=data["username"],
                password=data["password1"],
                full_name=data.get("full_name", ""),
                phone=data.get("phone", ""),
            )
            obj.pk, obj._state.adding = created.pk, False
            return
        original = User.objects.get(pk=obj.pk)
        profile = {k: data[k] for k in form.changed_data if k in {"full_name", "phone", "email"}}
        actions.update_user(actor=request.user, user=original, **profile)
        if "is_active" in form.changed_data:
            actions.set_user_active(actor=request.user, user=original, active=data["is_active"])


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["user", "area", "role"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    form = AssignmentForm
    list_display = ["user", "area", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "area__name"]
    autocomplete_fields = ["user", "area"]
    list_select_related = ["user", "area"]

    def has_add_permission(self, request) -> bool:
        return self.admin_site.has_permission(request) and access.has_perm(
            request.user, Perm.USER_MANAGE
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        if not self.has_add_permission(request):
            return False
        return obj is None or access.has_perm(request.user, Perm.USER_MANAGE, obj.area)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = access.visible_areas(request.user, Perm.USER_MANAGE)
        elif db_field.name == "user":
            kwargs["queryset"] = users_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        assignment = actions.assign_role(
            actor=request.user, user=data["user"], area=data["area"], role=data["role"]
        )
        obj.pk, obj._state.adding = assignment.pk, False

    def delete_model(self, request, obj):
        actions.revoke_role(actor=request.user, assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user", "area"):
            actions.revoke_role(actor=request.user, assignment=assignment)


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    """Read-only: the tree changes through the areas pages and their actions."""

    scope_field = "path"
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "level", "parent", "households_planned"]
    list_select_related = ["parent"]
