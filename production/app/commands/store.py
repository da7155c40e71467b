"""`production store check | backup | restore`: the job store's health and its daily copies."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from production.app.commands.common import config_option, settings_of

if TYPE_CHECKING:
    from production.config.settings import Settings

__all__ = ["add_commands"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    store = sub.add_parser("store", help="check the job store, copy it, or restore a copy")
    actions = store.add_subparsers(metavar="ACTION", required=True)

    check = actions.add_parser(
        "check", help="is the store whole and writable, and which backups are there; exit 1 if not"
    )
    config_option(check)
    check.set_defaults(command=_check)

    backup = actions.add_parser("backup", help="copy the store into the backups folder now")
    config_option(backup)
    backup.set_defaults(command=_backup)

    restore = actions.add_parser(
        "restore", help="put a backup in place of the store (no daemon may run)"
    )
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="a copy `store check` lists")
    config_option(restore)
    restore.set_defaults(command=_restore)


def _check(args: argparse.Namespace) -> int:
    from production.floor.storecheck import earlier_shop, what_to_do
    from production.store.factory import store_file, store_file_problems

    settings = settings_of(args)
    path = store_file(settings.shop.data_dir)
    healthy = True
    if not path.exists():
        if signs := earlier_shop(settings):
            print(f"{path}: missing, but {'; '.join(signs)}: the data folder was replaced")
            healthy = False
        else:
            print(f"{path}: not made yet (no daemon has run on this shop)")
    elif problems := store_file_problems(settings.shop.data_dir, full=True):
        print(f"{path}: damaged")
        for line in problems:
            print(f"  {line}")
        healthy = False
    else:
        writable = _write_problem(settings)
        print(f"{path}: whole" + ("" if writable is None else f", but {writable}"))
        healthy = writable is None
    _list_backups(settings)
    if not healthy:
        print(what_to_do(settings, check=False), file=sys.stderr)
    return 0 if healthy else 1


def _write_problem(settings: Settings) -> str | None:
    from production.core.errors import StoreError
    from production.store.factory import open_store

    try:
        with open_store(settings) as store:
            store.check_writable()
    except StoreError as exc:
        return exc.message
    return None


def _list_backups(settings: Settings) -> None:
    from production.store.factory import store_backups
    from production.store.sqlite.health import store_problems

    backups = store_backups(settings).backups()
    if not backups:
        print("no backups yet" + ("" if settings.shop.backups_kept else " (backups_kept = 0)"))
    for backup in backups:
        taken = datetime.fromtimestamp(backup.stat().st_mtime, UTC).isoformat(timespec="seconds")
        state = "damaged" if store_problems(backup) else "whole"
        print(f"backup {backup}: {state}, written {taken}")


def _backup(args: argparse.Namespace) -> int:
    from production.app.commands.common import no_daemon_yet
    from production.store.factory import store_backups

    settings = settings_of(args)
    if (why := no_daemon_yet(settings)) is not None:
        print(f"production: no job store to copy ({why})", file=sys.stderr)
        return 1
    print(f"{store_backups(settings).take()}: written")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from production.app.wiring import floor_lock
    from production.store.factory import store_file
    from production.store.sqlite.backups import copy_store
    from production.store.sqlite.health import store_problems

    settings = settings_of(args)
    backup: Path = args.backup
    if not backup.is_file():
        print(f"production: {backup}: no such file", file=sys.stderr)
        return 1
    if problems := store_problems(backup, full=True):
        print(f"production: {backup}: damaged ({problems[0]}): pick another", file=sys.stderr)
        return 1
    path = store_file(settings.shop.data_dir)
    with floor_lock(settings):  # no daemon may write the store while it is replaced
        aside = _move_aside(path)
        copy_store(backup, path)
    print(f"{path}: restored from {backup}")
    if aside is not None:
        print(f"the store it replaced is kept as {aside}: delete it once the shop runs again")
    print("jobs recorded after the backup was written are not in it: see `production jobs`")
    return 0


def _move_aside(path: Path) -> Path | None:
    """Keep the store being replaced (with its log) under a dated name; None if there is none."""
    if not path.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.replaced-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.replace(Path(f"{aside}{suffix}"))
    return aside
