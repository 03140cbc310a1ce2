from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _


def shell(request):
    """What every page's layout needs: the product name, the nav and the user's roles."""
    from fengqiao.core.nav import navigation_for
    from fengqiao.core.shell import shell_of
    from fengqiao.core.workbench import assignments_of

    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "product_name": _("枫桥"),
        "nav_items": navigation_for(user, request) if signed_in else [],
        # Lazy: htmx fragments rendered with this context never query for it.
        "user_assignments": SimpleLazyObject(
            lambda: (
                shell_of(request).get("assignments", lambda: assignments_of(user))
                if signed_in
                else []
            )
        ),
        "debug": settings.DEBUG,
    }
