"""`renderers.preload`: a render worker imports, before its memory cap, all a render may."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from production.floor.render_limits import LAZY_IMPORTS_MIB

# Run in a fresh interpreter: this test process has imported whatever other tests needed.
_AFTER_PRELOAD = """
import json, sys
from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.customization.samples import SAMPLES_DIR
from production.floor.rendering import ItemRenderer
from renderers.preload import preload

def mapped_mib():
    return int(open("/proc/self/statm").read().split()[0]) * 4096 // 2**20

renderer = ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))
before = mapped_mib()
preload()
grown = mapped_mib() - before
loaded = set(sys.modules)
for path in sorted(SAMPLES_DIR.glob("*.zip")):
    renderer.render_zip(path.read_bytes())
new = [sys.modules[name] for name in set(sys.modules) - loaded]
later = sorted(module.__name__ for module in new
               if module.__name__.split(".")[0] not in sys.stdlib_module_names)
# Shared libraries (C extensions) and whole packages are what maps memory under a cap;
# a font table's small Python module (fontTools loads them per table) does not.
mapping = sorted(module.__name__ for module in new
                 if (getattr(module, "__file__", None) or "").endswith(".so")
                 or "." not in module.__name__)
print(json.dumps({"grown_mib": grown, "later": later, "mapping": mapping}))
"""


def _run() -> dict[str, object]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # as the `production` command sets it
    run = subprocess.run([sys.executable, "-c", _AFTER_PRELOAD], capture_output=True,
                         text=True, env=env, timeout=300, check=True)  # fmt: skip
    result: dict[str, object] = json.loads(run.stdout.splitlines()[-1])
    return result


def test_preload_leaves_a_render_nothing_to_import_and_fits_the_one_off_reserve() -> None:
    result = _run()
    # Every sample (photos, emoji, a seller's font, two surfaces, options only): no library
    # is first imported by a render once a worker has preloaded.
    assert result["mapping"] == []
    later = result["later"]
    assert isinstance(later, list)
    assert all(name.startswith("fontTools.ttLib.tables.") for name in later), later
    # What `production render` leaves room for under its cap (`cap_memory(lazy_imports=True)`).
    grown = result["grown_mib"]
    assert isinstance(grown, int) and 0 < grown <= LAZY_IMPORTS_MIB
