"""From zip bytes to a `Customization`: pick the document, read it, join SVGs and photos."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from production.core.errors import CustomizationError
from production.core.limits import DEFAULT_LIMITS, ZipLimits, json_depth, over_limit
from production.core.model import Customization
from production.core.xmlsafe import UnsafeXml, parse_xml, xml_to_data
from production.customization.document import read_document
from production.customization.drafts import DraftCustomization
from production.customization.merge import SurfaceMerger
from production.customization.values import Shape
from production.customization.ziparchive import ZipMembers, read_zip

__all__ = ["parse_document", "parse_members", "parse_zip"]

_LABEL_CHARS = 60  # of a label or surface name in a message


def parse_zip(
    data: bytes, *, source: str = "zip", limits: ZipLimits = DEFAULT_LIMITS
) -> Customization:
    """Parse a customization zip; raise `CustomizationError` naming the item and the problem."""
    return parse_members(read_zip(data, source=source, limits=limits), source=source, limits=limits)


def parse_members(
    members: ZipMembers, *, source: str = "zip", limits: ZipLimits = DEFAULT_LIMITS
) -> Customization:
    """Parse the members of a zip already read (and checked) by `read_zip`."""
    draft = _read_draft(members, source, limits)
    return _assemble(draft, members, source, limits)


def parse_document(
    data: bytes, *, source: str = "json", limits: ZipLimits = DEFAULT_LIMITS
) -> Customization:
    """Parse a customization JSON on its own (no SVGs or photos beside it)."""
    shape = Shape(item_id=None, source=source, document="JSON", limits=limits)
    draft = read_document(_load_json(data, shape), shape)
    return _assemble(draft, {}, source, limits)


def _assemble(
    draft: DraftCustomization, members: Mapping[str, bytes], source: str, limits: ZipLimits
) -> Customization:
    _check_texts(draft, source, limits)
    merger = SurfaceMerger(members, item_id=draft.item.order_item_id, source=source, limits=limits)
    surfaces = tuple(merger.surface(s) for s in draft.surfaces)
    return Customization(
        item=draft.item,
        surfaces=surfaces,
        source=draft.source,
        warnings=tuple(dict.fromkeys(draft.warnings + merger.warnings)),
    )


def _check_texts(draft: DraftCustomization, source: str, limits: ZipLimits) -> None:
    """Every text, and every surface's texts together, within the character budgets.

    Checked before anything is measured or drawn: each character becomes an outlined glyph.
    """
    for surface in draft.surfaces:
        total = 0
        for text in surface.texts:
            count = sum(len(line) for line in text.lines)
            total += count
            if count > limits.max_text_chars:
                what = f"text {_brief(text.label or text.name)!r} has {count:,} characters"
                what = f"surface {_brief(surface.name)!r}: {what}"
                raise _over(draft, source, what, "max_text_chars", limits)
        if total > limits.max_surface_chars:
            what = f"surface {_brief(surface.name)!r} has {total:,} characters of text"
            raise _over(draft, source, what, "max_surface_chars", limits)


def _brief(name: str) -> str:
    # The seller's label, which a hostile zip may make as long as the text itself.
    return name if len(name) <= _LABEL_CHARS else name[: _LABEL_CHARS - 1] + "…"


def _over(
    draft: DraftCustomization,
    source: str,
    what: str,
    field: str,
    limits: ZipLimits,
) -> CustomizationError:
    return CustomizationError(
        over_limit(what, field, limits), item_id=draft.item.order_item_id, source=source
    )


def _read_draft(members: ZipMembers, source: str, limits: ZipLimits) -> DraftCustomization:
    item_id = members.item_id
    json_name = _pick(members.with_suffix(".json", ".JSON"), item_id)
    xml_name = _pick(members.with_suffix(".xml", ".XML"), item_id)
    if json_name is None and xml_name is None:
        raise CustomizationError(
            "the zip holds no customization JSON or XML", item_id=item_id, source=source
        )
    json_error: CustomizationError | None = None
    if json_name is not None:
        shape = Shape(item_id=item_id, source=source, document="JSON", limits=limits)
        try:
            draft = read_document(_load_json(members[json_name], shape), shape)
        except CustomizationError as exc:
            if xml_name is None:
                raise
            json_error = exc
        else:
            _check_member_name(draft, json_name)
            return draft
    assert xml_name is not None
    shape = Shape(item_id=item_id, source=source, document="XML", limits=limits)
    try:
        _check_size(members[xml_name], shape)
        root = parse_xml(members[xml_name], max_depth=limits.max_document_depth)
        draft = read_document(xml_to_data(root), shape, from_xml=True)
    except UnsafeXml as exc:
        raise json_error or CustomizationError(
            f"XML {xml_name!r} is unusable: {exc}", item_id=item_id, source=source
        ) from exc
    except CustomizationError:
        if json_error is not None:
            raise json_error from None
        raise
    reason = f"the JSON is unusable ({json_error.message})" if json_error else "the zip has no JSON"
    draft.warnings.append(f"{reason}; read the XML backup instead")
    _check_member_name(draft, xml_name)
    return draft


def _pick(names: list[str], item_id: str | None) -> str | None:
    if item_id is not None:
        for name in names:
            if name.rsplit(".", 1)[0] == item_id:
                return name
    return names[0] if len(names) == 1 else None


def _check_member_name(draft: DraftCustomization, name: str) -> None:
    stem = name.rsplit(".", 1)[0]
    if stem.isdigit() and stem != draft.item.order_item_id:
        draft.warnings.append(
            f"member {name!r} is named for another order item than the one it describes"
        )


def _check_size(data: bytes, shape: Shape) -> None:
    if len(data) > shape.limits.max_document_bytes:
        what = f"is {len(data):,} bytes"
        raise shape.error("document", over_limit(what, "max_document_bytes", shape.limits))


def _load_json(data: bytes, shape: Shape) -> Any:
    _check_size(data, shape)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise shape.error("document", "is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise shape.error("document", f"is not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    except RecursionError as exc:
        raise shape.error("document", _too_deep(shape)) from exc
    # Bounded by the size above, and walked without recursion.
    if json_depth(document, shape.limits.max_document_depth) is not None:
        raise shape.error("document", _too_deep(shape))
    return document


def _too_deep(shape: Shape) -> str:
    return over_limit("is nested too deeply", "max_document_depth", shape.limits)
