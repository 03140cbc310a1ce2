"""The JSON API at /api/v1/: token authentication, one error body, OpenAPI at
/api/v1/openapi.json and a docs page whose Swagger UI is served from our own static
files (vendor/swagger-ui, from the npm package swagger-ui-dist)."""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from fengqiao.analytics import api as analytics_api
from fengqiao.mediation import api as mediation_api
from fengqiao.meetings import api as meetings_api

from . import errors
from .auth import TokenAuth
from .parser import StrictParser
from .routers import attachments, cases, reference, transitions


class VendoredSwagger(DocsBase):
    """Swagger UI without any CDN: the page loads only our static files."""

    def render_page(self, request, api, **kwargs):
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/swagger.html", context)


api = NinjaAPI(
    title="枫桥 API",
    version="1",
    description=(
        "综治中心事项的登记、检索、查看与流转。认证：`Authorization: Bearer <令牌>`"
        "（用 `fengqiao apitoken create 用户名 名称` 签发）。错误统一为 "
        "`{code, message, fields}`。"
    ),
    auth=TokenAuth(),
    parser=StrictParser(),
    urls_namespace="api",
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/", cases.router)
api.add_router("/", attachments.router)
api.add_router("/", transitions.router)
api.add_router("/", reference.router)
api.add_router("/", mediation_api.router)
api.add_router("/", mediation_api.public)
api.add_router("/", analytics_api.router)
api.add_router("/", meetings_api.router)
