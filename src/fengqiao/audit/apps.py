from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fengqiao.audit"
    verbose_name = "审计日志"
