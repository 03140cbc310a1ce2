"""``fengqiao apitoken create USERNAME NAME`` prints a new key once; ``list`` and
``revoke`` manage the keys. Issuing and revoking are audited."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fengqiao.api.actions import issue_token, revoke_token
from fengqiao.api.models import ApiToken

CLI_ACTOR = "cli"


class Command(BaseCommand):
    help = "API 令牌：create 签发（密钥只显示一次）、list 列出、revoke 吊销。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="为用户签发新令牌，密钥只显示这一次。")
        create.add_argument("username")
        create.add_argument("name", help="令牌用途，如“12345 热线对接”")
        listing = sub.add_parser("list", help="列出令牌（只显示前缀）。")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="按前缀吊销令牌。")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        getattr(self, options["subcommand"])(options)

    def create(self, options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"用户不存在或已停用：{options['username']}")
        try:
            issued = issue_token(actor=None, actor_name=CLI_ACTOR, user=user, name=options["name"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        who, name = user.get_username(), issued.token.name
        self.stderr.write(f"已为 {who} 签发令牌“{name}”。密钥只显示这一次：")
        self.stdout.write(issued.key)

    def list(self, options) -> None:
        qs = ApiToken.objects.select_related("user")
        if options.get("username"):
            qs = qs.filter(user__username=options["username"])
        for token in qs:
            state = "已吊销" if token.is_revoked else "有效"
            used = token.last_used_at.isoformat() if token.last_used_at else "从未使用"
            self.stdout.write(
                f"{token.prefix}…\t{token.user.get_username()}\t{token.name}\t{state}\t{used}"
            )

    def revoke(self, options) -> None:
        matches = list(ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True))
        if len(matches) != 1:
            found = len(matches)
            raise CommandError(f"找不到唯一的有效令牌：{options['prefix']}（找到 {found} 个）")
        revoke_token(actor=None, actor_name=CLI_ACTOR, token=matches[0])
        self.stdout.write(f"已吊销：{matches[0].prefix}…")
