"""Hardened XML parsing for everything a customer file contains (the XML backup and the SVGs).

Entity expansion, DTD loading and network access are off; a document that declares entities
is refused outright, so neither XXE nor "billion laughs" can get past this module.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

__all__ = ["UnsafeXml", "parse_xml", "xml_to_data"]

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_MAX_DEPTH = 64


class UnsafeXml(ValueError):
    """The document is not well-formed, or tries something a customer file has no reason to."""


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    """Parse `data` as XML with every dangerous feature off; raise `UnsafeXml` otherwise."""
    if _ENTITY_DECLARATION.search(data):
        raise UnsafeXml("it declares XML entities, which a customer file never needs")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"it is not well-formed XML ({exc.msg})") from exc
    if root is None:
        raise UnsafeXml("it is empty")
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise UnsafeXml("it uses XML entities, which a customer file never needs")
    return root


def xml_to_data(root: etree._Element) -> Any:
    """Amazon's generic XML serialization back into JSON-like data.

    Repeated child names become lists; text becomes a string. XML carries no types, so a
    one-element array looks like an object: readers accept both (see `values.as_list`).
    """
    return _convert(root, 0)


def _convert(node: etree._Element, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise UnsafeXml("it is nested deeper than any customization")
    children = [child for child in node if isinstance(child.tag, str)]
    if not children:
        return node.text or ""
    result: dict[str, Any] = {}
    for child in children:
        key = etree.QName(child).localname
        value = _convert(child, depth + 1)
        if key in result:
            existing = result[key]
            if isinstance(existing, list) and getattr(existing, "_repeated", False):
                existing.append(value)
            else:
                result[key] = _Repeated([existing, value])
        else:
            result[key] = value
    return result


class _Repeated(list[Any]):
    """A list made of repeated same-name elements (as opposed to a value that is a list)."""

    _repeated = True
