"""Buyer JPEGs put into a written PDF once: reportlab writes a stand-in, the bytes are spliced in.

A JPEG goes into the print file byte for byte (DCTDecode), but reportlab copies every stream
while it writes: the object's bytes are joined, then the file's, then written to its buffer.
For a 4.4 MB photo that is 13 MB of transient copies, for a 30 MB 108-megapixel one 90 MB. So
while reportlab writes, each photo's stream holds a short token, and `splice` then builds the
finished file once, from slices: the photo in place of its token, the stream's /Length
corrected, and the cross-reference offsets after it moved by the difference.
"""

from __future__ import annotations

import io
import re

from reportlab import rl_config
from reportlab.lib.utils import ImageReader

from production.core.errors import RenderError

__all__ = ["JpegSplicer"]

# The stand-in must reach the file as it is: ASCII85 (reportlab's default) would encode it, and
# would make every embedded photo 25 % larger for no gain in a binary-safe file.
rl_config.useA85 = 0

_STREAM = b"\nstream\n"  # how reportlab opens a stream's data; it closes it with "endstream"
_LENGTH = re.compile(rb"/Length (\d+)")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) n")
_STARTXREF = re.compile(rb"startxref\n(\d+)\n")


class JpegSplicer:
    """The JPEGs of one PDF being written: a reader for each, and the splice once it is written."""

    def __init__(self) -> None:
        self._jpegs: dict[str, tuple[bytes, bytes]] = {}  # member → (token, data)

    def reader(self, data: bytes, member: str) -> ImageReader:
        """What `Canvas.drawImage` gets for the JPEG `data` of zip member `member`."""
        token, known = self._jpegs.setdefault(
            member, (b"%%acp-jpeg-passthrough-%06d%%" % len(self._jpegs), data)
        )
        if known is not data and known != data:
            raise RenderError(f"image {member!r} has two contents in one file")
        return _Passthrough(data, token)

    def splice(self, pdf: bytes) -> bytes:
        """The file reportlab wrote, with each token replaced by its JPEG."""
        if not self._jpegs:
            return pdf
        found = sorted((self._stream_at(pdf, token), data) for token, data in self._jpegs.values())
        xref = pdf.rindex(b"\nxref\n") + 1
        pieces: list[bytes] = []
        shifts: list[tuple[int, int]] = []  # (where a token was, bytes added up to there)
        cursor = added = 0
        for at, data in found:
            token_end = pdf.index(b"endstream", at)
            length = _last_length(pdf, cursor, at)
            new_length = str(len(data)).encode()
            pieces += [pdf[cursor : length.start(1)], new_length, pdf[length.end(1) : at], data]
            added += len(new_length) - len(length.group(1)) + len(data) - (token_end - at)
            shifts.append((at, added))
            cursor = token_end
        pieces.append(pdf[cursor:xref])
        pieces.append(_moved_xref(pdf[xref:], shifts))
        return b"".join(pieces)

    @staticmethod
    def _stream_at(pdf: bytes, token: bytes) -> int:
        """Where the token's stream data starts; it must be there once, as a whole stream."""
        framed = _STREAM + token + b"endstream"
        at = pdf.find(framed)
        if at < 0 or pdf.find(framed, at + 1) >= 0:
            raise RenderError("a photo's place in the PDF cannot be found")
        return at + len(_STREAM)


def _last_length(pdf: bytes, start: int, end: int) -> re.Match[bytes]:
    """The /Length entry of the stream whose data starts at `end`: the last one before it."""
    found = list(_LENGTH.finditer(pdf, start, end))
    if not found:
        raise RenderError("a photo's stream in the PDF has no length")
    return found[-1]


def _moved_xref(tail: bytes, shifts: list[tuple[int, int]]) -> bytes:
    """The cross-reference table and trailer with every offset after a splice moved."""

    def moved(offset: int) -> int:
        added = 0
        for at, total in shifts:
            if offset > at:
                added = total
        return offset + added

    def entry(match: re.Match[bytes]) -> bytes:
        return b"%010d %s n" % (moved(int(match.group(1))), match.group(2))

    trailer = tail.index(b"trailer")
    table = _XREF_ENTRY.sub(entry, tail[:trailer])
    rest = _STARTXREF.sub(
        lambda m: b"startxref\n%d\n" % (int(m.group(1)) + shifts[-1][1]), tail[trailer:]
    )
    return table + rest


class _Passthrough(ImageReader):  # type: ignore[misc]
    """A JPEG that reportlab embeds as DCTDecode without decoding it, writing `token` for now.

    `Canvas.drawImage` names every image by a hash of its decoded pixels — a quarter second and
    70 MB for a phone photo — so this reader offers the token instead: one per member, and a
    member always holds the same bytes. `ImageReader.__init__` is not called: it would open
    the file with Pillow, whose header read is not needed (reportlab reads the JPEG's frame
    header itself) and whose decompression-bomb guard is not ours.
    """

    def __init__(self, data: bytes, token: bytes) -> None:
        self.fp = _StandIn(data, token)
        self.fileName = token.decode()
        self._identity = token
        self._dataA = None  # no alpha: set by getRGBData in the base class, which is skipped

    def jpeg_fh(self) -> io.BytesIO:
        self.fp.seek(0)
        return self.fp

    def getRGBData(self) -> bytes:  # reportlab's name for it
        return self._identity


class _StandIn(io.BytesIO):
    """The JPEG for reportlab's header reads; its one read of the whole file gets the token."""

    def __init__(self, data: bytes, token: bytes) -> None:
        super().__init__(data)  # shares `data`: a BytesIO copies only when written to
        self.token = token

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.token
        return super().read(size)
