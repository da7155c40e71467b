"""The code @dataclass compiles for each class, kept between processes as Python keeps bytecode.

@dataclass writes a class's __init__, __repr__, __eq__, __hash__, __setattr__ ... as source
text and compiles that text with exec() every time the class statement runs. A frozen class
costs about 1 ms, seven tenths of it in compile(); `production render` imports about a hundred
of them, so every process spent ~70 ms compiling the very same texts again.

install() gives the dataclasses module an exec() that looks the text up first: the code object
compile() made of that exact text, read from one marshal file beside the package's bytecode
(production/app/__pycache__, where Python writes its .pyc files). exec() of that code object does
what exec() of the text does: the key is the whole text, the file is tied to the interpreter's
version, and anything unreadable is ignored (the text is compiled as before). New texts are
written back at exit, atomically, unless Python writes no bytecode (PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

__all__ = ["CACHE_FILE", "MAX_ENTRIES", "install"]

CACHE_FILE = (
    Path(__file__).resolve().parent
    / "__pycache__"
    / f"dataclass-code.{sys.implementation.cache_tag}.marshal"
)
MAX_ENTRIES = 4096  # far above the program's own classes: a bound, not a working size


class _CodeCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.codes = _read(path)  # text -> marshalled code, loaded only when asked for
        self.added = False

    def exec(self, source: object, globals_: Any = None, locals_: Any = None) -> None:
        if isinstance(source, str):
            source = self._code(source)
        builtins.exec(source, globals_, locals_)  # type: ignore[arg-type]

    def _code(self, text: str) -> CodeType:
        kept = self.codes.get(text)
        if kept is not None:
            try:
                code = marshal.loads(kept)
            except (EOFError, ValueError, TypeError):
                code = None
            if isinstance(code, CodeType):
                return code
        code = compile(text, "<string>", "exec")
        if len(self.codes) < MAX_ENTRIES:
            self.codes[text] = marshal.dumps(code)
            self.added = True
        return code

    def save(self) -> None:
        if not self.added or sys.dont_write_bytecode:
            return
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps((sys.version, self.codes)))
            temporary.replace(self.path)  # readers see the old file or the new, whole
        except OSError:
            temporary.unlink(missing_ok=True)  # read-only install: no cache, nothing else
        self.added = False


def _read(path: Path) -> dict[str, bytes]:
    try:
        version, codes = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if version != sys.version or not isinstance(codes, dict):
        return {}
    return {
        text: code
        for text, code in codes.items()
        if isinstance(text, str) and isinstance(code, bytes)
    }


def install(path: Path = CACHE_FILE) -> None:
    """From now on, classes @dataclass makes use the kept code; new code is kept at exit."""
    cache = _CodeCache(path)
    # A module global named exec shadows the builtin inside dataclasses' functions only.
    dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    atexit.register(cache.save)
