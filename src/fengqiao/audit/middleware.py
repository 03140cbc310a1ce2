from .log import RequestContext, reset_context, set_context


def client_ip(request) -> str:
    # Behind the bundled server there is no proxy; an operator who adds one sets
    # FENGQIAO_TRUST_X_FORWARDED_FOR and we take the nearest hop.
    from django.conf import settings

    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_context(RequestContext(client_ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_context(token)
