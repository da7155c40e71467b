"""The inputs of benchmarks/daemon_throughput.py: a shop folder and distinct order zips.

The shop is the one `tests/daemon/shop.py` builds: a configuration folder copied from
config/*.toml, with the printers' hot folders (and the UV printer's done folder) created. Text-only
orders are the text-only sample zip made into other orders by `renumbered` from the same file.
Photo orders are the render benchmark's photo surface (a 4000×3000 JPEG of about 4.4 MB and one
line of text, benchmarks/render_fixture.py) on a product the shipped config knows (the sample
photo-and-text mug), one distinct order per number.

Renumbering a photo zip with `zipfile` would deflate the 4.4 MB JPEG again for every copy
(~0.1 s each), so photo zips are assembled here from members deflated once: the JPEG's compressed
bytes are the same in every copy, only the small members (JSON, SVG, snapshot) change.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.render_fixture import SLUG, SURFACE, TEXT, make_photo
from production.config.settings import DEFAULT_CONFIG_DIR, ShopSettings, load_settings
from production.customization.samples import SAMPLES_DIR
from samples.amazon_format import sample_uuid
from samples.make_samples import ROBOTO, ids, mug_image, mug_text, surface
from samples.surfaces import Order, Slot, Upload
from tests.daemon.shop import renumbered

TEXT_ONLY_ZIP = SAMPLES_DIR / "text-only.zip"
PHOTO_ASIN = "B0SAMPLE03"  # "11 oz photo mug, photo and text (sample)" in config/products.toml
PHOTO_NUMBER = 50  # the sample number of the photo order before renumbering
_IDS = re.compile(rb"9000000000\d{4}|900-\d{7}-\d{7}")  # as tests/daemon/shop.py finds them
_BIG_MEMBER = 1_000_000  # members at least this large are copied compressed, not renumbered


def settle_key_supported() -> bool:
    """True once shop.toml takes `[shop] settle_seconds` (ShopSettings has the field)."""
    return any(f.name == "settle_seconds" for f in dataclasses.fields(ShopSettings))


@dataclass(frozen=True)
class ShopFolders:
    root: Path
    config: Path
    inbox: Path
    data: Path
    hot: dict[str, Path]  # printer id -> hot folder
    staging: Path  # same filesystem as the inbox: zips are written here, then renamed in


def make_shop(
    root: Path, *, settle_seconds: float | None = None, render_workers: int | None = None
) -> ShopFolders:
    """A shop folder as tests/daemon/shop.py makes one; `settle_seconds` only if supported;
    `render_workers` into shop.toml if given (else the daemon's default, one per CPU)."""
    config = root / "config"
    config.mkdir(parents=True, exist_ok=True)
    for toml in DEFAULT_CONFIG_DIR.glob("*.toml"):
        shutil.copyfile(toml, config / toml.name)
    if render_workers is not None:
        shop_toml = config / "shop.toml"
        text = shop_toml.read_text(encoding="utf-8")
        text = text.replace("[shop]\n", f"[shop]\nrender_workers = {render_workers}\n", 1)
        shop_toml.write_text(text, encoding="utf-8")
    if settle_seconds is not None and settle_key_supported():
        shop_toml = config / "shop.toml"
        text = shop_toml.read_text(encoding="utf-8")
        line = f"settle_seconds = {settle_seconds}"
        text, count = re.subn(r"(?m)^settle_seconds\s*=\s*\S+", line, text, count=1)
        if not count:
            text = text.replace("[shop]\n", f"[shop]\n{line}\n", 1)
        shop_toml.write_text(text, encoding="utf-8")
    settings = load_settings(config)
    hot = {}
    for printer in settings.printers.values():
        printer.hot_folder.mkdir(parents=True, exist_ok=True)
        hot[printer.id] = printer.hot_folder
        if printer.done_folder is not None:
            printer.done_folder.mkdir(parents=True, exist_ok=True)
    settings.shop.inbox.mkdir(parents=True, exist_ok=True)
    staging = settings.shop.inbox.parent / "staging"
    staging.mkdir(exist_ok=True)
    return ShopFolders(root, config, settings.shop.inbox, settings.shop.data_dir, hot, staging)


def configured_settle(config: Path) -> float | None:
    """The settle time the shop's config gives, or None while there is no such key."""
    if not settle_key_supported():
        return None
    return float(getattr(load_settings(config).shop, "settle_seconds"))  # noqa: B009 - may be absent


def text_zip(number: int) -> bytes:
    """The text-only sample zip as order number `number` (1…99999)."""
    return renumbered(TEXT_ONLY_ZIP, number)


def item_id_of(data: bytes) -> str:
    """The order item id of a zip (the name of its JSON or XML member)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".json", ".xml")):
                return name.rsplit(".", 1)[0]
    raise ValueError("no JSON or XML member")


class PhotoZips:
    """Distinct photo orders: one JPEG of ~4.4 MB deflated once, small members per copy."""

    def __init__(self) -> None:
        self.photo = make_photo()
        upload = Upload(f"{sample_uuid(SLUG, 'front')}.jpg", self.photo, "IMG_4000.jpeg")
        slots: list[Slot] = [mug_image(SURFACE, upload), mug_text(SURFACE, ROBOTO, text=TEXT)]
        order = Order(
            *ids(PHOTO_NUMBER),
            PHOTO_ASIN,
            "Personalized Photo Mug, 11 oz, White (daemon benchmark)",
            (surface(SLUG, SURFACE, "11 WHITE - photo mug", slots, first_clip_id=1),),
            with_xml=False,
        )
        template = zipfile.ZipFile(io.BytesIO(order.zip_bytes()))
        self._members: list[tuple[str, bytes, _Deflated | None]] = []
        ids_found: set[bytes] = set()
        for info in template.infolist():
            data = template.read(info)
            if len(data) >= _BIG_MEMBER:
                self._members.append((info.filename, b"", _deflate(data)))
            else:
                ids_found |= set(_IDS.findall(data))
                self._members.append((info.filename, data, None))
        self._ids = sorted(ids_found)

    def zip(self, number: int) -> bytes:
        """The photo order as order number `number` (ids as `renumbered` makes them)."""
        members: list[tuple[str, _Deflated]] = []
        for name, data, big in self._members:
            if big is not None:
                members.append((name, big))
                continue
            for old in self._ids:
                new = _new_id(old, number)
                data = data.replace(old, new)
                name = name.replace(old.decode(), new.decode())
            members.append((name, _deflate(data)))
        return _assemble(members)


def _new_id(old: bytes, number: int) -> bytes:
    # The same mapping as tests/daemon/shop.py's `renumbered`.
    text = old.decode()
    if text.startswith("900-"):
        return f"901-{number:07d}-{text[-7:]}".encode()
    return f"8{number:05d}{text[6:]}".encode()


@dataclass(frozen=True)
class _Deflated:
    crc: int
    size: int
    packed: bytes


def _deflate(data: bytes) -> _Deflated:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush()
    return _Deflated(zlib.crc32(data), len(data), packed)


_DOS_TIME, _DOS_DATE = 0, (2024 - 1980) << 9 | 1 << 5 | 1  # 2024-01-01 00:00


def _assemble(members: list[tuple[str, _Deflated]]) -> bytes:
    """A plain zip (no ZIP64, no data descriptors) of already deflated members."""
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, member in members:
        raw = name.encode()
        fields = (20, 0, 8, _DOS_TIME, _DOS_DATE, member.crc, len(member.packed), member.size)
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, len(raw), 0) + raw
        central.append(
            struct.pack("<IH", 0x02014B50, 3 << 8 | 20)
            + struct.pack("<HHHHHIII", *fields)
            + struct.pack("<HHHHHII", len(raw), 0, 0, 0, 0, 0o100644 << 16, offset)
            + raw
        )
        parts += [local, member.packed]
        offset += len(local) + len(member.packed)
    directory = b"".join(central)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0
    )
    return b"".join([*parts, directory, end])


if __name__ == "__main__":
    # A quick self-check: copies are valid zips, distinct orders, and the daemon parses them.
    from production.customization import parse_zip

    photos = PhotoZips()
    for number in (1, 2):
        data = photos.zip(number)
        assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
        parsed = parse_zip(data, source="photo")
        print("photo", number, parsed.item.order_id, parsed.item.order_item_id, len(data))
    for number in (1, 2):
        parsed = parse_zip(text_zip(number), source="text")
        print("text", number, parsed.item.order_id, parsed.item.order_item_id)
