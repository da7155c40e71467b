"""What the packer sees of a job's master files: a small PNG proof and the chosen options.

Rendered on first request from the master PDF and kept under `data_dir/proofs/` until the
order's buyer data is purged (retention deletes them with the masters). PDFium is not
thread-safe, not even across documents, and the desk answers from a thread pool: every call
holds the renderer's `PDFIUM_LOCK`.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pypdfium2 as pdfium

from printers.tickets import JobTicket
from production.core.errors import ProductionError
from production.core.files import write_atomically
from production.store import JobRecord
from renderers.pdfraster import PDFIUM_LOCK, render_page

__all__ = ["PROOF_PIXELS", "Proofs", "ProofsSeen"]

PROOF_PIXELS = 360  # the longer side; enough to tell one design from another at arm's length


class Proofs:
    def __init__(self, *, masters: Path, proofs: Path) -> None:
        self.masters = masters
        self.folder = proofs
        # The options of each ticket as last read, by file name, with the ticket's mtime: a
        # page of 300 orders asks for them all at every render.
        self._options: dict[str, tuple[int, list[tuple[str, str]]]] = {}
        self._lock = threading.Lock()

    def seen(self) -> ProofsSeen:
        """What the masters folder holds now, listed once: for a page that asks about many
        jobs (a file lookup per job and question costs more than the page's queries)."""
        return ProofsSeen(self)

    def master(self, job: JobRecord) -> Path:
        return self.masters / f"{job.stem}.pdf"

    def has_proof(self, job: JobRecord) -> bool:
        """True when the job has a print PDF to show (options-only jobs have a ticket alone)."""
        return self.master(job).is_file()

    def comparison(self, job: JobRecord) -> bytes | None:
        """Our render beside Amazon's preview, written when the proof check held the job."""
        try:
            return (self.masters / f"{job.stem}.compare.png").read_bytes()
        except FileNotFoundError:
            return None

    def has_comparison(self, job: JobRecord) -> bool:
        return (self.masters / f"{job.stem}.compare.png").is_file()

    def options(self, job: JobRecord) -> list[tuple[str, str]]:
        """The listing options on the job's ticket (colour, size): what to take from stock."""
        name = f"{job.stem}.json"
        path = self.masters / name
        try:
            made = path.stat().st_mtime_ns
            with self._lock:
                known = self._options.get(name)
            if known is not None and known[0] == made:
                return list(known[1])
            ticket = JobTicket.from_json(path.read_bytes())
        except (OSError, ProductionError):
            return []
        options = [(option.label, option.value) for option in ticket.options]
        with self._lock:
            self._options[name] = (made, options)
        return list(options)

    def png(self, job: JobRecord) -> bytes | None:
        """The proof of the job's first page, made now if missing or older than its PDF."""
        master, proof = self.master(job), self.folder / f"{job.stem}.png"
        try:
            made = master.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        try:
            if proof.stat().st_mtime_ns >= made:
                return proof.read_bytes()
        except FileNotFoundError:
            pass
        data = render_png(master.read_bytes())
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(proof, data, sync_folder=False)  # a lost proof is simply made again
        if not master.exists():
            # Purged while this was rendering: the proof must not outlive the order's data.
            proof.unlink(missing_ok=True)
            return None
        return data


class ProofsSeen:
    """The masters folder's file names at one moment, asked about job by job."""

    def __init__(self, proofs: Proofs) -> None:
        self._proofs = proofs
        try:
            self._names = frozenset(path.name for path in proofs.masters.iterdir())
        except OSError:  # not made yet (no job rendered), or not readable: nothing to show
            self._names = frozenset()

    def has_proof(self, job: JobRecord) -> bool:
        return f"{job.stem}.pdf" in self._names

    def has_comparison(self, job: JobRecord) -> bool:
        return f"{job.stem}.compare.png" in self._names

    def options(self, job: JobRecord) -> list[tuple[str, str]]:
        return self._proofs.options(job) if f"{job.stem}.json" in self._names else []


def render_png(pdf: bytes, *, pixels: int = PROOF_PIXELS) -> bytes:
    """The first page on white, its longer side `pixels` wide."""
    with PDFIUM_LOCK:  # the renderer's lock: one PDFium call at a time in the whole process
        document = pdfium.PdfDocument(pdf)
        try:
            width, height = document[0].get_size()
        finally:
            document.close()
    picture = render_page(pdf, scale=pixels / max(width, height))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=False)
    return out.getvalue()
