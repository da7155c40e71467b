"""Text for what is drawn as pictures and paths (emoji): invisible glyphs of a Type 3 font.

An emoji printed as an image or as filled paths carries no text, so copy, search and text
extraction would lose it. Over each emoji the page draws one invisible glyph (text render
mode 3) of a small Type 3 font that lives in the file itself — its glyphs draw nothing — whose
ToUnicode maps the glyph to the emoji's characters. The glyph stands where the emoji stands
and is as wide, so it is read in its place in the line like any glyph, also where a reader
puts a right-to-left line back into logical order.

Why not ActualText: pdfium skips every character beyond U+FFFC in an ActualText, which is
where nearly all emoji are ("🐶" is U+1F436), while it reads them from a ToUnicode map.
A Type 3 font is complete in the file (no font program to embed) and allowed by PDF/X-4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase import pdfdoc

from renderers.fontembed import stream_object, to_unicode_cmap

__all__ = ["HiddenText"]

_EM = 1000  # glyph space units per em (FontMatrix 0.001)
_ASCENT, _DESCENT = 800, -200  # the box a reader selects, in glyph space units
_MAX_CODES = 255  # one-byte codes, 0 unused


@dataclass(slots=True)
class HiddenText:
    """One page's invisible glyphs: a code per distinct text, the font written by `finish`."""

    name: str  # the font's resource name on the page
    codes: dict[str, int] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # code → advance, ems

    def operators(self, text: str, width: float, size: float, x: float, y: float) -> str:
        """An invisible glyph reading `text`, `width` ems wide, its baseline starting at (x, y).

        Coordinates are y down, as on the canvas `renderers.glyphdraw` writes into.
        """
        code = self.codes.get(text)
        if code is None:
            if len(self.codes) >= _MAX_CODES:
                return ""  # more different emoji than a page ever has: the rest stay unread
            code = self.codes[text] = len(self.codes) + 1
            self.widths[code] = width
        return (
            f"q BT /{self.name} {_num(size)} Tf 3 Tr 1 0 0 -1 {_num(x)} {_num(y)} Tm "
            f"<{code:02X}> Tj ET Q"
        )

    def finish(self, document: Any) -> None:
        """Add the font to reportlab's `document` under `name`, if any glyph was drawn."""
        if not self.codes:
            return
        widths = {code: round(width * _EM, 1) for code, width in self.widths.items()}
        procs = {
            f"e{code}": document.Reference(
                stream_object(f"{w:g} 0 0 {_DESCENT} {w:g} {_ASCENT} d1".encode("ascii"))
            )
            for code, w in widths.items()
        }
        last = max(widths)
        font = pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("Font"),
                "Subtype": pdfdoc.PDFName("Type3"),
                "FontBBox": pdfdoc.PDFArray([0, _DESCENT, max(widths.values()), _ASCENT]),
                "FontMatrix": pdfdoc.PDFArray([1 / _EM, 0, 0, 1 / _EM, 0, 0]),
                "CharProcs": pdfdoc.PDFDictionary(procs),
                "Encoding": pdfdoc.PDFDictionary(
                    {
                        "Type": pdfdoc.PDFName("Encoding"),
                        "Differences": pdfdoc.PDFArray(
                            [1, *(pdfdoc.PDFName(f"e{code}") for code in range(1, last + 1))]
                        ),
                    }
                ),
                "FirstChar": 1,
                "LastChar": last,
                "Widths": pdfdoc.PDFArray([widths[code] for code in range(1, last + 1)]),
                "Resources": pdfdoc.PDFDictionary({}),
                "ToUnicode": document.Reference(
                    stream_object(
                        to_unicode_cmap({c: t for t, c in self.codes.items()}, code_bytes=1)
                    )
                ),
            }
        )
        document.idToObject["BasicFonts"].dict[self.name] = document.Reference(font, self.name)


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
