from django.conf import settings


def shell(request):
    """What every page's layout needs: the product name and, for staff, the nav."""
    from fengqiao.core.nav import navigation_for

    user = getattr(request, "user", None)
    return {
        "product_name": "枫桥",
        "nav_items": navigation_for(user, request) if user and user.is_authenticated else [],
        "debug": settings.DEBUG,
    }
