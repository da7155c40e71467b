"""Reading Amazon Custom customization zips into the one domain model.

parse_zip(bytes)       a whole zip: JSON (or the XML backup), SVGs, photos → Customization
parse_document(bytes)  a JSON document alone (the zip's JSON, or a Seller Central page)
"""

from __future__ import annotations

from production.customization.reader import parse_document, parse_members, parse_zip
from production.customization.ziparchive import (
    DEFAULT_LIMITS,
    ZipLimits,
    ZipMembers,
    looks_like_zip,
    read_zip,
)

__all__ = [
    "DEFAULT_LIMITS",
    "ZipLimits",
    "ZipMembers",
    "looks_like_zip",
    "parse_document",
    "parse_members",
    "parse_zip",
    "read_zip",
]
