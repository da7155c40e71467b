"""`python -m production` and the `production` command: signals are caught from the start."""

import sys
from collections.abc import Sequence

from production.app.startup import catch_early_signals


def main(argv: Sequence[str] | None = None) -> int:
    catch_early_signals()
    from production.app.cli import main as cli_main  # the heavy imports, now interruptible cleanly

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
