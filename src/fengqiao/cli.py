"""The ``fengqiao`` console script: every Django management command passes through
(``fengqiao migrate``, ``fengqiao up``, ``fengqiao demo``, ``fengqiao audit verify``)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "fengqiao"
    if len(args) == 1:
        args.append("help")
    try:
        # Read the settings first: Django would otherwise hide a refused configuration
        # (production with DEBUG on, no secret key) behind "Unknown command".
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as exc:
        print(f"枫桥拒绝启动 (Fengqiao refuses to start): {exc}", file=sys.stderr)
        sys.exit(2)
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
