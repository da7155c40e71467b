"""`python -m production` and the `production` command: signals are caught from the start.

`main` does not return: it ends the process with the command's status (`quickexit`).
"""

import os
from collections.abc import Sequence
from typing import NoReturn

from production.app import dataclass_code, quickexit
from production.app.startup import catch_early_signals


def main(argv: Sequence[str] | None = None) -> NoReturn:
    catch_early_signals()
    # NumPy's OpenBLAS starts a thread per core and sizes their buffers when NumPy is
    # imported: a third of a render's import time. The proof's array work is FFTs and
    # element-wise arithmetic, which BLAS threads do not speed up; a render worker is one of
    # several processes already. A setting the user made is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # The ~100 dataclasses a command imports: their methods' code from the last run, not
    # compiled again (~70 ms of a render's start-up).
    dataclass_code.install()
    from production.app.cli import main as cli_main  # the heavy imports, now interruptible cleanly

    # A finished command ends without Python's teardown (~70 ms after a render): see quickexit.
    quickexit.exit_now(cli_main(argv))


if __name__ == "__main__":
    main()
