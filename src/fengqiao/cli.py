"""The ``fengqiao`` console script: every Django management command passes through
(``fengqiao migrate``, ``fengqiao up``, ``fengqiao demo``, ``fengqiao audit verify``)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "fengqiao"
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
