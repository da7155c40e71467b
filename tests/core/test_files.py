"""Writing files whole: a master read back is put into a hot folder as a hard link of itself."""

from __future__ import annotations

from pathlib import Path

from production.core.files import DurableFile, write_group


def master(folder: Path, name: str, data: bytes) -> DurableFile:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return DurableFile(path.read_bytes(), path)


def test_a_durable_file_is_linked_and_plain_bytes_are_written(tmp_path: Path) -> None:
    pdf = master(tmp_path / "masters", "job.pdf", b"%PDF-1.4 the print")
    written = write_group(tmp_path / "hot", {"job.pdf": pdf, "job.json": b'{"changed": true}'})
    assert [p.read_bytes() for p in written] == [b"%PDF-1.4 the print", b'{"changed": true}']
    assert written[0].samefile(pdf.path)  # no second copy to write and flush
    assert written[0].stat().st_nlink == 2
    assert written[1].stat().st_nlink == 1
    assert sorted(p.name for p in (tmp_path / "hot").iterdir()) == ["job.json", "job.pdf"]


def test_a_durable_file_whose_source_is_gone_is_written_from_its_bytes(tmp_path: Path) -> None:
    pdf = master(tmp_path / "masters", "job.pdf", b"%PDF-1.4 the print")
    pdf.path.unlink()
    (written,) = write_group(tmp_path / "hot", {"job.pdf": pdf})
    assert written.read_bytes() == b"%PDF-1.4 the print"
    assert written.stat().st_nlink == 1


def test_what_a_killed_writer_left_and_an_earlier_delivery_are_replaced(
    tmp_path: Path,
) -> None:
    hot = tmp_path / "hot"
    hot.mkdir()
    (hot / ".job.pdf.part").write_bytes(b"half")
    (hot / "job.pdf").write_bytes(b"delivered before a crash")
    pdf = master(tmp_path / "masters", "job.pdf", b"%PDF-1.4 the print")
    (written,) = write_group(hot, {"job.pdf": pdf})
    assert written.read_bytes() == b"%PDF-1.4 the print"
    assert [p.name for p in hot.iterdir()] == ["job.pdf"]


def test_bytes_made_from_a_durable_file_are_plain(tmp_path: Path) -> None:
    pdf = master(tmp_path / "masters", "job.pdf", b"%PDF")
    assert type(pdf + b"x") is bytes
    assert type(pdf.replace(b"P", b"Q")) is bytes
