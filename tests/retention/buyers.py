"""Orders whose buyer data can be told apart: each with its own words and its own photo.

The photo-and-text mug sample (photo-text.zip) made into order `n` by
`renumbered`, its text ("Best Dad" / "Ever") replaced by random words, its photo by the same
picture with a band of random pixels across the middle, so that every order's JPEG bytes from
the band on are its own. Words are long random lowercase strings: one found anywhere is a leak,
not a coincidence.
"""

from __future__ import annotations

import io
import random
import string
import zipfile
from dataclasses import dataclass
from functools import cache

from PIL import Image

from production.customization import parse_zip
from renderers.fonts import FontIndex
from tests.daemon.shop import renumbered, sample
from tests.finishing.snapshots import with_drawn_snapshots

WINDOW = 64  # bytes of each photo looked for
_BAND = (2000, 24)  # random pixels across the photo, rows 740–763 of 1500


@dataclass(frozen=True)
class BuyerOrder:
    order_id: str
    item_id: str
    words: tuple[str, ...]  # what the buyer typed, word by word
    photo: bytes  # the JPEG as the buyer uploaded it
    data: bytes  # the customization zip

    @property
    def window(self) -> bytes:
        """A piece from the middle of the photo (inside the random band): its fingerprint."""
        middle = len(self.photo) // 2
        return self.photo[middle : middle + WINDOW]

    @property
    def lines(self) -> tuple[str, ...]:
        return (f"{self.words[0]} {self.words[1]}", self.words[2])


@cache
def _template() -> tuple[bytes, str, Image.Image]:
    """The sample zip, the name of its photo member, and the photo decoded."""
    data = sample("photo-text").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        photo = max(
            (info for info in archive.infolist() if info.filename.endswith(".jpg")),
            key=lambda info: info.file_size,
        )
        picture = Image.open(io.BytesIO(archive.read(photo)))
        picture.load()
    return data, photo.filename, picture


def buyer_order(number: int, rng: random.Random) -> BuyerOrder:
    _, photo_member, picture = _template()
    words = (_word(rng, 10), _word(rng, 10), _word(rng, 12))
    noisy = picture.copy()
    band = Image.frombytes("RGB", _BAND, rng.randbytes(_BAND[0] * _BAND[1] * 3))
    noisy.paste(band, (0, 740))
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=90)
    photo = out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(renumbered(sample("photo-text"), number)))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            member = source.read(info)
            if info.filename == photo_member:
                member = photo
            elif info.filename.endswith((".json", ".xml", ".svg")):
                member = member.replace(b"Best Dad", f"{words[0]} {words[1]}".encode())
                member = member.replace(b"Ever", words[2].encode())
            archive.writestr(info.filename, member)
    # Amazon's preview shows the buyer's words: draw it again, or the proof check holds the job.
    data = with_drawn_snapshots(packed.getvalue(), FontIndex(()))
    item = parse_zip(data, source="test").item
    return BuyerOrder(item.order_id, item.order_item_id, words, photo, data)


def buyer_orders(count: int, *, seed: int, first: int = 100) -> list[BuyerOrder]:
    """`count` orders, numbered from `first`; checked to be told apart as promised."""
    rng = random.Random(seed)
    orders = [buyer_order(first + n, rng) for n in range(count)]
    template = _template()[0]
    for order in orders:
        texts = {
            line
            for s in parse_zip(order.data, source="test").surfaces
            for t in s.texts
            for line in t.lines
        }
        assert texts == set(order.lines), (texts, order.lines)
        others = [o.photo for o in orders if o is not order]
        assert not any(order.window in photo for photo in others), "photo windows not unique"
        assert order.window not in template
    return orders


def _word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))
