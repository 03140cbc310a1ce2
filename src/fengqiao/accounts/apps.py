from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fengqiao.accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import started

        user_logged_in.connect(started, dispatch_uid="fengqiao.accounts.idle_clock")
