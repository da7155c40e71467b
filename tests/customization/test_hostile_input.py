"""Malformed and hostile zips: one clear error naming the order item and the problem."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from production.core.errors import CustomizationError
from production.customization import ZipLimits, parse_zip
from tests.reference import mug_document, mug_svg, mug_zip, stand_in_image

ITEM = "10000000000033"  # mug-03: two photos, an option
BUYER_TEXT = "BUYER-SECRET-WORDS"


def members_of(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: archive.read(info) for info in archive.infolist()}


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def mug03(**replace: bytes | None) -> bytes:
    """mug-03 with members replaced (bytes) or removed (None), and buyer text planted in it."""
    members = members_of(mug_zip("mug-03"))
    document = mug_document("mug-03")
    text = document["customizationData"]["children"][0]["children"][0]["children"][2]
    text["children"][2]["children"][0]["children"][0]["children"][0]["inputValue"] = BUYER_TEXT
    members[f"{ITEM}.json"] = json.dumps(document).encode()
    for name, data in replace.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    return make_zip(members)


def expect_error(data: bytes, *words: str, item: str | None = ITEM, **kwargs: object) -> str:
    with pytest.raises(CustomizationError) as caught:
        parse_zip(data, source="hostile.zip", **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    subject = f"order item {item}:" if item else "hostile.zip:"
    assert message.startswith(subject), message
    for word in words:
        assert word in message, message
    assert BUYER_TEXT not in message
    assert "\n" not in message
    return message


# -- the container --------------------------------------------------------------------------


def test_not_a_zip() -> None:
    expect_error(stand_in_image("x.jpg", 20, 20), "not a zip", item=None)


def test_damaged_zip() -> None:
    data = mug03()
    expect_error(data[: len(data) // 2], "damaged", item=None)


def test_empty_zip() -> None:
    expect_error(make_zip({}), "empty", item=None)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/cron.d/x.jpg",
        "a/../../b.jpg",
        "/etc/passwd",
        "C:\\Windows\\x.jpg",
        "..\\..\\x.jpg",
    ],
)
def test_path_traversal_names(name: str) -> None:
    members = members_of(mug03())
    members[name] = b"x"
    expect_error(make_zip(members), "member name")


def test_zip_bomb_by_ratio() -> None:
    members = members_of(mug03())
    members["bomb.png"] = bytes(20 * 1024 * 1024)
    expect_error(make_zip(members), "zip bomb")


def test_member_over_the_size_limit() -> None:
    members = members_of(mug03())
    members["big.bin"] = bytes(3 * 1024 * 1024)
    limits = ZipLimits(max_member_bytes=2 * 1024 * 1024, max_ratio=10_000)
    expect_error(make_zip(members), "limit", limits=limits)


def test_total_size_limit() -> None:
    expect_error(mug03(), "limit", limits=ZipLimits(max_total_bytes=20_000))


def test_too_many_members() -> None:
    members = members_of(mug03())
    members.update({f"extra-{i}.txt": b"x" for i in range(250)})
    expect_error(make_zip(members), "members")


def test_declared_size_that_lies_is_caught() -> None:
    """A header claiming a tiny member that inflates to more: the real bytes count."""
    data = bytearray(make_zip({f"{ITEM}.json": b"{}" * 400_000}))
    # Patch the central directory's uncompressed size to 10 bytes.
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)
    message = expect_error(bytes(data), item=ITEM)
    assert "damaged" in message or "limit" in message


def test_encrypted_member() -> None:
    data = bytearray(mug03())
    # Set the "encrypted" flag on every entry, as a password-protected zip has it.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            flags = struct.unpack_from("<H", data, start + offset)[0]
            struct.pack_into("<H", data, start + offset, flags | 0x1)
            start += 4
    expect_error(bytes(data), "encrypted")


def test_duplicate_member_names() -> None:
    members = members_of(mug03())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        with pytest.warns(UserWarning):
            archive.writestr(f"{ITEM}.json", members[f"{ITEM}.json"])
    expect_error(out.getvalue(), "two members")


# -- the documents --------------------------------------------------------------------------


def test_missing_json_and_xml() -> None:
    # Nothing left in the zip says which order item it is: the error names the file instead.
    data = mug03(**{f"{ITEM}.json": None, f"{ITEM}.xml": None})
    expect_error(data, "no customization JSON", item=None)


def test_broken_json_without_xml() -> None:
    expect_error(mug03(**{f"{ITEM}.json": b'{"orderId": ', f"{ITEM}.xml": None}), "not valid JSON")


WRONG_SHAPES: dict[str, Callable[[dict[str, Any]], object]] = {
    "customizationData is a list": lambda d: d.update(customizationData=[1, 2]),
    "a position is text": lambda d: d["customizationData"]["children"][0]["children"][0][
        "children"
    ][0].update(position={"x": "left", "y": 3}),
    "children is a number": lambda d: d["customizationData"]["children"][0].update(children=7),
    "orderItemId is missing": lambda d: d.pop("orderItemId"),
    "orderId is a path": lambda d: d.update(orderId="../../etc"),
    "quantity is zero": lambda d: d.update(quantity=0),
    "no tree and no version3.0": lambda d: (d.pop("customizationData"), d.pop("version3.0")),
    "a scale is negative": lambda d: d["customizationData"]["children"][0]["children"][0][
        "children"
    ][0]["buyerPlacement"]["scale"].update(scaleX=-1, scaleY=-1),
    "a colour is not a colour": lambda d: d["customizationData"]["children"][0]["children"][0][
        "children"
    ][2]["children"][1]["colorSelection"].update(value="url(javascript:x)"),
}


@pytest.mark.parametrize("case", list(WRONG_SHAPES))
def test_json_of_the_wrong_shape(case: str) -> None:
    document = mug_document("mug-03")
    WRONG_SHAPES[case](document)
    data = mug03(**{f"{ITEM}.json": json.dumps(document).encode(), f"{ITEM}.xml": None})
    message = expect_error(data, "JSON")
    assert "should" in message or "is missing" in message or "not" in message or "has" in message


def test_json_nested_without_end() -> None:
    deep = b'{"orderId":"1","orderItemId":"' + ITEM.encode() + b'","customizationData":'
    deep += b'{"children":[' * 5000 + b"]}" * 5000 + b"}"
    expect_error(mug03(**{f"{ITEM}.json": deep, f"{ITEM}.xml": None}))


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<data><orderId>&xxe;</orderId></data>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]><data><orderId>&lol9;</orderId></data>"
)


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_xml_with_entities(xml: bytes) -> None:
    expect_error(mug03(**{f"{ITEM}.json": None, f"{ITEM}.xml": xml}), "entities")


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_svg_with_entities(xml: bytes) -> None:
    svg_name = "2e57f124-2d83-497a-f278-a3ebbe839749.svg"
    expect_error(mug03(**{svg_name: xml.replace(b"data", b"svg")}), "SVG", "entities")


def _svg_with_href(href: str) -> bytes:
    return mug_svg("mug-03").replace(b"c0fd71de-83d2-4aee-87b9-e45ca08d1d4d.jpg", href.encode())


@pytest.mark.parametrize(
    "href",
    ["file:///etc/passwd", "/etc/passwd", "../secret.jpg", "sub/dir.jpg", "C:/x.jpg", "data:x"],
)
def test_svg_href_outside_the_zip(href: str) -> None:
    svg_name = "2e57f124-2d83-497a-f278-a3ebbe839749.svg"
    expect_error(mug03(**{svg_name: _svg_with_href(href)}), "outside the zip")


def test_svg_href_to_a_foreign_host() -> None:
    svg_name = "2e57f124-2d83-497a-f278-a3ebbe839749.svg"
    data = mug03(**{svg_name: _svg_with_href("http://169.254.169.254/latest/x.png")})
    expect_error(data, "not an Amazon host")


def test_svg_href_to_a_member_that_is_missing() -> None:
    svg_name = "2e57f124-2d83-497a-f278-a3ebbe839749.svg"
    expect_error(mug03(**{svg_name: _svg_with_href("0000.jpg")}), "not in the zip")


def test_svg_that_is_not_xml() -> None:
    svg_name = "2e57f124-2d83-497a-f278-a3ebbe839749.svg"
    expect_error(mug03(**{svg_name: b"<svg><g></svg>"}), "SVG", "not well-formed")


# -- the photos -----------------------------------------------------------------------------

PHOTO = "c0fd71de-83d2-4aee-87b9-e45ca08d1d4d.jpg"


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_header() -> None:
    expect_error(mug03(**{PHOTO: _png_claiming(100_000, 100_000)}), PHOTO, "decompression bomb")


def test_truncated_jpeg() -> None:
    photo = members_of(mug_zip("mug-03"))[PHOTO]
    expect_error(mug03(**{PHOTO: photo[: len(photo) // 2]}), PHOTO, "truncated")


def test_truncated_png() -> None:
    png = stand_in_image("x.png", 300, 300)
    expect_error(mug03(**{PHOTO: png[: len(png) - 20]}), PHOTO, "truncated")


def test_photo_that_is_not_an_image() -> None:
    expect_error(mug03(**{PHOTO: b"MZ\x90\x00 not a picture"}), PHOTO, "not a JPEG or PNG")


def test_photo_named_in_the_json_but_missing() -> None:
    expect_error(mug03(**{PHOTO: None}), PHOTO, "not in the zip")


# -- the command line -----------------------------------------------------------------------


def test_command_line_reports_each_bad_zip_in_one_line(tmp_path: Path) -> None:
    good = tmp_path / "good-download"  # no .zip suffix: recognised by content
    good.write_bytes(mug_zip("mug-01"))
    bomb = tmp_path / "bomb.zip"
    members = members_of(mug03())
    members["bomb.png"] = bytes(20 * 1024 * 1024)
    bomb.write_bytes(make_zip(members))
    traversal = tmp_path / "traversal.zip"
    traversal.write_bytes(make_zip({**members_of(mug03()), "../../x.jpg": b"x"}))
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"hello")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "production",
            "inspect",
            str(good),
            str(bomb),
            str(traversal),
            str(garbage),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert errors[0].startswith(f"{bomb}: order item {ITEM}:") and "zip bomb" in errors[0]
    assert "path traversal" in errors[1]
    assert errors[2] == f"{garbage}: garbage.zip: not a zip file (no zip signature)"
    assert "order 111-1000001-2000001 item 10000000000011" in result.stdout
    assert BUYER_TEXT not in result.stdout + result.stderr
    assert "Sint" not in result.stdout  # mug-01's buyer text is never printed
