"""Hardened XML parsing for everything a customer file contains (the XML backup and the SVGs).

Entity expansion, DTD loading and network access are off; a document that declares entities
is refused outright, so neither XXE nor "billion laughs" can get past this module.
"""

from __future__ import annotations

import io
import re
from typing import Any, Literal

from lxml import etree

__all__ = ["UnsafeXml", "XmlBudget", "parse_xml", "xml_to_data"]

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_MAX_DEPTH = 64


class UnsafeXml(ValueError):
    """The document is not well-formed, or tries something a customer file has no reason to."""


class XmlBudget(UnsafeXml):
    """The document has more elements, or nests them deeper, than the caller allows."""

    def __init__(self, over: Literal["elements", "depth"], limit: int) -> None:
        what = "more than {0:,} elements" if over == "elements" else "elements nested {0:,} deep"
        super().__init__(f"it has {what.format(limit + (over == 'depth'))}")
        self.over = over
        self.limit = limit


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


def parse_xml(
    data: bytes, *, max_elements: int | None = None, max_depth: int | None = None
) -> etree._Element:
    """Parse `data` as XML with every dangerous feature off; raise `UnsafeXml` otherwise.

    With `max_elements` or `max_depth`, the tree is built element by element and the parse
    stops at the first one over (`XmlBudget`): a million elements cost what the limit costs.
    """
    if _ENTITY_DECLARATION.search(data):
        raise UnsafeXml("it declares XML entities, which a customer file never needs")
    try:
        if max_elements is None and max_depth is None:
            root = etree.fromstring(data, parser=_parser())
        else:
            root = _parse_counting(data, max_elements, max_depth)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"it is not well-formed XML ({exc.msg})") from exc
    if root is None:
        raise UnsafeXml("it is empty")
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise UnsafeXml("it uses XML entities, which a customer file never needs")
    return root


def _parse_counting(
    data: bytes, max_elements: int | None, max_depth: int | None
) -> etree._Element | None:
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    count = depth = 0
    root: etree._Element | None = None
    for event, element in events:
        if event == "end":
            depth -= 1
            continue
        count += 1
        depth += 1
        root = element if root is None else root
        if max_elements is not None and count > max_elements:
            raise XmlBudget("elements", max_elements)
        if max_depth is not None and depth > max_depth:
            raise XmlBudget("depth", max_depth)
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
