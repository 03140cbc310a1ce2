"""``fengqiao audit verify``: check the audit log's hash chain."""

import time

from django.core.management.base import BaseCommand, CommandError

from fengqiao.audit.verify import verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链是否完整。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="重新计算每条记录的哈希，报告第一处篡改。")
        verify.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args, **options):
        if options["subcommand"] == "verify":
            self.verify(options["chunk_size"])

    def verify(self, chunk_size: int) -> None:
        started = time.monotonic()
        result = verify_chain(chunk_size=chunk_size)
        elapsed = time.monotonic() - started
        if result.problem is not None:
            p = result.problem
            self.stderr.write(f"审计链已损坏：{p.message}")
            raise CommandError(f"第一处问题：序号 {p.seq}（{p.kind}）", returncode=1)
        self.stdout.write(
            f"审计链完整：已校验 {result.checked} 条记录，用时 {elapsed:.1f} 秒；"
            f"链头序号 {result.head_seq}，哈希 {result.head_hash}"
        )
