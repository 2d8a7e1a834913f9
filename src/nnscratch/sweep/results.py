"""The results file of a sweep: one CSV row per finished trial, appended as it finishes.

Why CSV and not Parquet: a row must reach the disk the moment its trial
ends, and a CSV file takes one more line with one ``write``, while a Parquet
file is written whole (row groups and a footer), so each trial would rewrite
the file. CSV needs only the standard library on the driver and every worker,
and opens in a spreadsheet, in pandas (``pd.read_csv``) and in a text editor.
Curves (one value per epoch) are JSON lists inside one column.

Crash safety: a row is one ``os.write`` of the whole line to a file opened
with ``O_APPEND``, then ``fsync``. A row is finished only when its newline
is on disk; a torn last line (the process killed during the write) has no
newline, and :meth:`ResultsFile.open` drops it (rewriting the file through
``nnscratch._atomic``) before the sweep goes on, so that trial runs again.
The sweep's settings live beside it in ``<file>.json`` (written atomically),
and a resumed sweep must have the same settings.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nnscratch._atomic import atomic_write_bytes
from nnscratch._validate import fail
from nnscratch.sweep.space import number

__all__ = ["ResultsFile", "read_results"]


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


class ResultsFile:
    """An append-only CSV table with fixed ``columns``; rows keyed by the ``trial`` column.

    ``path=None`` keeps the rows in memory only.
    Use :meth:`open`, which creates the file or checks an existing one
    against ``settings`` and reads its finished rows into :attr:`rows`.
    """

    def __init__(self, path: Path | None, columns: Sequence[str], rows: dict[int, dict[str, str]]):
        self.path = path
        self.columns = list(columns)
        self.rows = rows

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        columns: Sequence[str],
        settings: Mapping[str, Any],
        *,
        resume: bool,
    ) -> ResultsFile:
        """Start ``path`` (refusing to overwrite unless empty), or with ``resume`` continue it.

        ``settings`` (JSON-able) must equal the stored ones when resuming,
        so a resumed sweep cannot mix trials of two different sweeps.
        """
        path = Path(path)
        meta = _meta_path(path)
        columns = list(columns)
        if "trial" not in columns:
            raise ValueError("columns: expected a 'trial' column")
        exists = path.exists() and path.stat().st_size > 0
        if exists and not resume:
            raise fail(
                "results",
                "a new file (or resume=True / --resume to continue it)",
                f"the existing file {str(path)!r}",
            )
        stored = json.loads(meta.read_text("utf-8")) if exists and meta.exists() else None
        if exists and stored is None:
            raise fail("results", "a sweep results file with its .json settings", str(path))
        if stored is not None and stored != json.loads(json.dumps(dict(settings))):
            changed = sorted(
                k for k in set(stored) | set(settings) if stored.get(k) != settings.get(k)
            )
            raise fail(
                "resume",
                f"the settings of the sweep in {str(path)!r}",
                f"different {', '.join(changed)}",
            )
        atomic_write_bytes(meta, json.dumps(dict(settings), indent=1).encode("utf-8"))
        rows: dict[int, dict[str, str]] = {}
        if exists:
            rows = _read_rows(path, columns)
        else:
            atomic_write_bytes(path, _line(columns).encode("utf-8"))
        return cls(path, columns, rows)

    def done(self) -> set[int]:
        """The trial numbers already in the file."""
        return set(self.rows)

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one finished trial: one line, one ``write``, flushed to disk."""
        trial = int(row["trial"])
        if trial in self.rows:
            return  # a trial that ran twice (a retried task) is recorded once
        cells = {c: _cell(row.get(c)) for c in self.columns}
        if self.path is None:  # a sweep kept in memory only
            self.rows[trial] = cells
            return
        data = _line([cells[c] for c in self.columns]).encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            written = os.write(fd, data)
            if written != len(data):  # never seen for a few KiB on a local disk
                raise OSError(f"results: short write to {self.path} ({written}/{len(data)})")
            os.fsync(fd)
        finally:
            os.close(fd)
        self.rows[trial] = cells


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return json.dumps([round(float(v), 6) for v in value])
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _line(cells: Iterable[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(list(cells))
    return buf.getvalue()


def _read_rows(path: Path, columns: list[str]) -> dict[int, dict[str, str]]:
    """The finished rows of ``path``; a torn last line is cut off (atomically) first."""
    raw = path.read_bytes()
    if not raw.endswith(b"\n"):
        raw = raw[: raw.rfind(b"\n") + 1]
        atomic_write_bytes(path, raw)
    reader = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
    header = next(reader, None)
    if header != columns:
        raise fail("results", f"the columns {columns}", f"{header} in {str(path)!r}")
    rows: dict[int, dict[str, str]] = {}
    for cells in reader:
        if len(cells) != len(columns):
            raise fail("results", f"rows of {len(columns)} cells", f"{len(cells)} in {path}")
        row = dict(zip(columns, cells, strict=True))
        rows.setdefault(int(row["trial"]), row)
    return rows


def read_results(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The rows of a results file as dicts, numbers as numbers and curves as lists.

    Reads finished lines only (a torn last line is skipped); never changes the file.
    """
    path = Path(path)
    text = path.read_bytes()
    text = text[: text.rfind(b"\n") + 1]
    out = []
    reader = csv.DictReader(io.StringIO(text.decode("utf-8"), newline=""))
    for row in reader:
        out.append({k: _value(v) for k, v in row.items()})
    return out


def _value(text: str) -> Any:
    if text == "":
        return None
    if text.startswith("["):
        return json.loads(text)
    return number(text)
