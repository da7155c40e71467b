"""Zips the floor holds for a person to look at: a proof that does not match, a small photo."""

from __future__ import annotations

from tests.daemon.shop import renumbered, sample
from tests.finishing.test_proof_check import MUG_MM_PER_UNIT
from tests.finishing.zips import moved_in_json, moved_in_svg, rewritten, smaller_photo

PHOTO = "d26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg"  # photo-text.zip's photo


def proof_held(number: int) -> bytes:
    """photo-text as order `number`, its photo moved 5 mm from where the buyer put it: the print
    no longer looks like Amazon's preview, and the proof check holds it (cause "proof")."""
    units = 5 / MUG_MM_PER_UNIT
    return rewritten(
        renumbered(sample("photo-text"), number),
        svg=moved_in_svg(PHOTO, units),
        document=moved_in_json(PHOTO, units),
    )


def review_held() -> bytes:
    """photo-text with its photo four times smaller (107 ppi): held for review (cause "review")."""
    return smaller_photo("photo-text", PHOTO, 4)
