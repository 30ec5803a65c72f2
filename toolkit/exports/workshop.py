"""Exports of one workshop: the planning guide (HTML, Markdown, PDF), the
frames as a spreadsheet (xlsx) or CSV, and a full-fidelity JSON file that
:mod:`toolkit.exports.importer` reads back.

    >>> from toolkit.exports.workshop import export_workshop
    >>> export_workshop(store, "demo", "xlsx", "demo.xlsx")
    PosixPath('demo.xlsx')

Formats:

``html`` / ``md`` / ``pdf``
    The planning guide (:mod:`toolkit.exports.guide`); the PDF is that HTML
    printed by headless Chromium (:mod:`toolkit.exports.pdf`).
``xlsx``
    One sheet per frame in :data:`toolkit.frames.FRAME_NAMES`, with human
    headers, a bold frozen header row and sized columns, for partners to
    read (:func:`partner_frame`): ratings and dots are numbers (a "not sure"
    rating is the scale's words), means are rounded to one decimal and
    shown so (``2.3``), shares as percentages, sectors by the content's
    names ("Non-profit", "All sectors") and bands by their labels; stages
    and tools are named as well as numbered. Times are UTC without a
    timezone (Excel cannot store one).
``csv``
    One frame (``answers`` unless ``frame=`` names another), the
    machine-readable twin of a sheet: the frame's own column names and
    values, so scripts can rely on them: sector and band ids
    (``nonprofit``, ``discuss``), ratings as stored (``4``, ``not-sure``),
    means unrounded.
``json``
    Everything needed to rebuild the workshop elsewhere: the workshop
    (title, slug, settings), participants (with their key, by which a
    re-import finds them, and their resume code), every answer row ever
    written (the history, with round, kind and time), the saves refused as
    based on an older answer (``superseded``) and the actions, under a
    format marker and version (:data:`JSON_FORMAT`, :data:`JSON_VERSION`).

Participant text is escaped in HTML and Markdown, and neutralised in
spreadsheets (xlsx and csv): a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading ``'`` so a
spreadsheet shows it as text instead of running it as a formula
(:func:`neutralise`).

Anonymous workshops (``settings.anonymous``): every export but the JSON
file gets its frames from :func:`toolkit.frames.for_view`, which applies
the kit's one privacy rule (:mod:`toolkit.frames.views`): no participant's
name or organization anywhere (the xlsx and csv files keep every column,
with those cells empty), and an action owned by a participant shows "A
participant" (by name; an owner typed as a role or an organization stays). A
sector's mean rating is withheld where fewer than the workshop's minimum
group rated, and answers the facilitator hid are left out. The
JSON file deliberately keeps names (:attr:`~toolkit.frames.View.BACKUP`):
it is the facilitator's full-fidelity backup, and keeps each participant's
key (by which a re-import finds them) and resume code (so they can go on
after the workshop moves to another store); do not share it with partners.

A stored row that no view can show (a time out of range, a rating off the
scale, ...) is left out of every export, the JSON file included, with a
:class:`toolkit.frames.BadRow` warning (:mod:`toolkit.frames.rows`).

Every file is written to a temporary name beside the target and moved into
place at the end, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import InvalidAnswer

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.store import AnswerStore

#: Formats :func:`export_workshop` writes.
FORMATS = ("html", "md", "pdf", "xlsx", "csv", "json")
#: The marker and version at the top of a JSON export.
JSON_FORMAT = "intersector-workshop"
#: 2 (issue #12): participants carry their ``key`` and ``resume_code``, and
#: ``superseded`` holds the saves refused as based on an older answer.
#: 3 (issue #15): ``table_answers`` (every row of the tables' shared
#: answers) and ``table_superseded`` (table answer edits refused as based
#: on an older one).
JSON_VERSION = 3

#: Called as ``progress(done, total, label)`` while a long export runs.
Progress = Callable[[int, int, str], None]

#: Human column headers for spreadsheets, one per frame column.
HEADERS: dict[str, str] = {
    "answer_id": "Answer id",
    "table_answer_id": "Table answer id",
    "action_id": "Action id",
    "round": "Round",
    "participant_id": "Participant id",
    "name": "Name",
    "organization": "Organization",
    "sector": "Sector",
    "table": "Table",
    "tool_id": "Tool id",
    "tool_number": "Tool no.",
    "tool": "Tool",
    "stage_id": "Stage id",
    "stage": "Stage",
    "question_id": "Question id",
    "question": "Question",
    "kind": "Kind",
    "value": "Answer",
    "created": "Created (UTC)",
    "anonymous": "Answered without a name",
    "updated": "Updated (UTC)",
    "mean": "Mean rating",
    "count": "Ratings",
    "not_sure": "Not sure",
    "not_yet": "Not yet relevant",
    "band": "Band",
    "withheld": "Mean withheld",
    "planned": "In today's plan",
    "minutes": "Minutes",
    "order": "Order in the plan",
    "sectors": "Sectors rating",
    "low_sector": "Lowest sector",
    "low_mean": "Lowest mean",
    "high_sector": "Highest sector",
    "high_mean": "Highest mean",
    "gap": "Gap",
    "spread": "Spread (std. dev.)",
    "flagged": "Partners see this differently",
    "participants": "Participants",
    "answered": "Questions answered",
    "questions": "Questions",
    "share": "Share answered",
    "rated": "Rated",
    "dots": "Dots",
    "voters": "Voters",
    "rank": "Rank",
    "what": "Action",
    "owner": "Owner",
    "owner_sector": "Owner's sector",
    "due": "Due",
    "status": "Status",
}

#: Sheet titles (Excel allows 31 characters).
SHEETS = {
    "answers": "Answers (history)",
    "current_answers": "Current answers",
    "table_answers": "Table answers",
    "ratings": "Ratings",
    "divergence": "Divergence",
    "progress": "Progress",
    "priorities": "Priorities",
    "actions": "Actions",
    "participants": "Participants",
    "scope": "Today's plan",
}

# Column widths in characters; others get a width from their header.
_WIDTHS = {"value": 60, "question": 48, "what": 48, "tool": 34, "organization": 28, "name": 20, "stage": 15, "created": 20, "updated": 20}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Make a text cell safe for a spreadsheet: text that starts with ``=``,
    ``+``, ``-``, ``@``, tab or CR is prefixed with ``'`` so it stays text.

        >>> neutralise('=HYPERLINK("http://x","y")')
        '\\'=HYPERLINK("http://x","y")'
        >>> neutralise(-2)
        -2
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def default_name(slug: str, fmt: str, frame: str = "answers") -> str:
    """The file name used when no output path is given."""
    if fmt in ("html", "md", "pdf"):
        return f"{slug}-planning-guide.{fmt}"
    if fmt == "csv":
        return f"{slug}-{frame.replace('_', '-')}.csv"
    return f"{slug}.{fmt}"


def export_workshop(
    store: AnswerStore,
    slug: str,
    fmt: str,
    path: str | os.PathLike[str] | None = None,
    *,
    frame: str = "answers",
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Path:
    """Write one workshop in ``fmt`` (see :data:`FORMATS`) and return the
    path written. ``path`` may be a file, an existing folder (the default
    name goes inside) or ``None`` (the default name in the current folder).
    ``frame`` picks the frame of a CSV export.

        >>> export_workshop(store, "demo", "pdf", "out/")
        PosixPath('out/demo-planning-guide.pdf')
    """
    from toolkit import frames as frames_mod
    from toolkit.frames.views import fewer_than

    fmt = (fmt or "").lower().lstrip(".")
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        raise InvalidAnswer(f"export format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "csv" and frame not in frames_mod.FRAME_NAMES:
        raise InvalidAnswer(f"frame: expected one of {', '.join(frames_mod.FRAME_NAMES)}, got {frame!r}")
    store.workshop(slug)  # NotFound names the slug before any work
    target = _target(path, default_name(slug, fmt, frame))
    tick = progress or (lambda done, total, label: None)

    if fmt in ("html", "md", "pdf"):
        from toolkit.exports import guide
        tick(0, 3, "reading the workshop")
        data = guide.guide_data(store, slug, today=today)
        tick(1, 3, "laying out the planning guide")
        if fmt == "md":
            with _atomic(target) as tmp:
                tmp.write_text(guide.render_markdown(data), encoding="utf-8")
        else:
            html_text = guide.render_html(data)
            if fmt == "html":
                with _atomic(target) as tmp:
                    tmp.write_text(html_text, encoding="utf-8")
            else:
                from toolkit.exports import pdf
                tick(2, 3, "printing the PDF with Chromium")
                with _atomic(target) as tmp:
                    pdf.html_to_pdf(html_text, tmp)
        tick(3, 3, "done")
        return target

    if fmt == "json":
        tick(0, 2, "reading the workshop")
        doc = workshop_document(store, slug)
        tick(1, 2, "writing JSON")
        with _atomic(target) as tmp:
            with tmp.open("w", encoding="utf-8") as fh:
                json.dump(doc, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
        tick(2, 2, "done")
        return target

    tick(0, 1, "reading the workshop")
    frames = frames_mod.for_view(store, slug, frames_mod.View.SPREADSHEET)
    if fmt == "csv":
        with _atomic(target) as tmp:
            write_csv(frames[frame], tmp)
        tick(1, 1, "done")
        return target
    shown = frames_mod.audience(store.workshop(slug).settings, frames_mod.View.SPREADSHEET)
    with _atomic(target) as tmp:
        write_xlsx(frames, tmp, progress=tick, kit=store.kit, fewer=fewer_than(shown))
    return target


# --------------------------------------------------------------------------
# Spreadsheets


def sheet_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A frame as it goes into a spreadsheet: times in UTC without a
    timezone and every text cell neutralised (:func:`neutralise`). Columns
    keep their frame names. Masking for an anonymous workshop is done
    before, by :func:`toolkit.frames.for_view`."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            # Excel keeps microseconds at most; the store keeps float seconds.
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None).dt.floor("us")
        elif isinstance(dtype, pd.StringDtype) or dtype == object:
            out[col] = out[col].astype(object).where(out[col].notna(), "").map(neutralise)
    return out


#: Columns holding a sector id, shown by the sector's name in a spreadsheet.
SECTOR_COLUMNS = ("sector", "low_sector", "high_sector", "owner_sector")
#: Columns holding a mean rating (or a difference or spread of means),
#: rounded to :data:`MEAN_DECIMALS` in a spreadsheet.
MEAN_COLUMNS = ("mean", "low_mean", "high_mean", "gap", "spread")
MEAN_DECIMALS = 1
#: How a spreadsheet shows numbers of these columns (Excel number formats).
NUMBER_FORMATS = {**{c: "0.0" for c in MEAN_COLUMNS}, "share": "0%"}


def partner_frame(df: pd.DataFrame, kit: Any, *, fewer: str = "") -> pd.DataFrame:
    """A frame as partners read it in a spreadsheet: rating and dot values
    as numbers (a "not sure" rating as the scale's words), means rounded
    to :data:`MEAN_DECIMALS`, sectors by their names
    (:func:`toolkit.frames.views.sector_name`), bands by their labels, and
    a withheld mean said in words (``fewer``: ``"fewer than 3"``, the view
    rule's :func:`~toolkit.frames.views.fewer_than`) where its cell is empty.
    The CSV export keeps the frame as it is, for scripts.

        >>> partner_frame(frames["ratings"], kit)[["sector", "mean", "band"]].iloc[0].tolist()
        ['All sectors', 2.3, 'Concern']
    """
    import numpy as np
    import pandas as pd

    from toolkit.frames.columns import BAND_LABELS
    from toolkit.frames.views import sector_name
    from toolkit.store.values import NOT_SURE

    out = df.copy()
    for col in SECTOR_COLUMNS:
        if col in out.columns:
            names = {s: sector_name(kit, s) for s in out[col].dropna().unique() if s}
            out[col] = out[col].astype(object).map(lambda s: names.get(s, s))
    for col in MEAN_COLUMNS:
        if col in out.columns:
            out[col] = out[col].round(MEAN_DECIMALS)
    if "band" in out.columns:
        out["band"] = out["band"].astype(object).map(lambda b: BAND_LABELS.get(b, b))
    if fewer and "withheld" in out.columns:
        out["withheld"] = np.where(out["withheld"].to_numpy(dtype=bool), fewer, "")
    if {"kind", "value"} <= set(out.columns) and len(out):
        kinds = out["kind"].to_numpy(dtype=object)
        values = out["value"].to_numpy(dtype=object).copy()
        for i in np.flatnonzero((kinds == "rating") | (kinds == "dots")):
            value = values[i]
            if isinstance(value, str) and value.isdigit():
                values[i] = int(value)
            elif value == NOT_SURE:
                values[i] = kit.scale.not_sure
        out["value"] = pd.Series(values, index=out.index, dtype=object)  # text and numbers side by side
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """One frame as UTF-8 CSV (with a byte-order mark, so Excel reads the
    accents), text neutralised, times as ``2026-05-01 14:03:07.123456``."""
    sheet = sheet_frame(df)
    sheet.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return Path(path)


def write_xlsx(
    frames: dict[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    kit: Any = None,
    fewer: str = "",
) -> Path:
    """Every frame as a sheet (in :data:`toolkit.frames.FRAME_NAMES` order)
    of one workbook: human headers in bold, the top row frozen, a filter on
    the header and column widths that fit the content. With the content
    (``kit``), each frame as partners read it (:func:`partner_frame`, a
    withheld mean said as ``fewer``);
    means are shown with one decimal and shares as percentages either way."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from toolkit import palette
    from toolkit.frames import FRAME_NAMES

    tick = progress or (lambda done, total, label: None)
    names = [n for n in FRAME_NAMES if n in frames]
    total = sum(max(len(frames[n]), 1) for n in names)
    done = 0
    wb = Workbook(write_only=True)
    colours = palette.colours()
    bold = Font(bold=True, color=colours["card"].lstrip("#").upper())
    fill = PatternFill("solid", fgColor=colours["accent"].lstrip("#").upper())  # the kit's one palette
    wrap = Alignment(vertical="top", wrap_text=False)
    for name in names:
        df = sheet_frame(partner_frame(frames[name], kit, fewer=fewer) if kit is not None else frames[name])
        ws = wb.create_sheet(SHEETS.get(name, name)[:31])
        columns = list(df.columns)
        for i, col in enumerate(columns, 1):
            header = HEADERS.get(col, col)
            width = _WIDTHS.get(col, max(len(header) + 3, 9))
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        if columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(df) + 1, 1)}"
        header_cells = []
        for col in columns:
            cell = WriteOnlyCell(ws, value=HEADERS.get(col, col))
            cell.font = bold
            cell.fill = fill
            cell.alignment = wrap
            header_cells.append(cell)
        ws.append(header_cells)
        # itertuples on an object frame hands back plain Python values;
        # pandas' NA and NaT become empty cells.
        values = df.astype(object).where(df.notna(), None)
        formats = [(i, NUMBER_FORMATS[c]) for i, c in enumerate(columns) if c in NUMBER_FORMATS]
        for n, row in enumerate(values.itertuples(index=False, name=None), 1):
            cells = [_cell(v) for v in row]
            for i, number_format in formats:
                if cells[i] is not None:
                    cells[i] = WriteOnlyCell(ws, value=cells[i])
                    cells[i].number_format = number_format
            ws.append(cells)
            if n % 2000 == 0:
                tick(done + n, total, f"sheet {SHEETS.get(name, name)}")
        done += max(len(df), 1)
        tick(done, total, f"sheet {SHEETS.get(name, name)}")
    if not names:
        wb.create_sheet("Empty")
    wb.save(path)
    return Path(path)


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()  # numpy scalar -> Python
    return value


# --------------------------------------------------------------------------
# JSON


def workshop_document(store: AnswerStore, slug: str) -> dict[str, Any]:
    """The full-fidelity document of one workshop, as ``export json``
    writes it. Times are UTC seconds since the epoch (as the store keeps
    them, so they survive a round trip exactly); participants are referred
    to by their ``id`` inside the file. Names are kept
    (:attr:`toolkit.frames.View.BACKUP`); rows no view can show are left
    out, with a warning, so the file can be imported again."""
    from toolkit.frames.compute import Source
    from toolkit.frames.views import View

    ws = store.workshop(slug)
    kit = store.kit
    columns = ("id", "participant_id", "round", "tool_id", "question_id", "kind", "value", "created")
    history = store.answer_columns(slug, columns)
    source = Source.read(store, slug, View.BACKUP)  # after the answers: their participants are in it
    keys = store.participant_keys(slug)
    codes = {person.participant.id: person.resume_code for person in store.people(slug)}
    shown = {p.id for p in source.people}
    admitted = source.admit(kit, history)
    ok = admitted["ok"]
    rows = zip(*(history[c][ok].tolist() for c in columns[1:]), admitted["anonymous"][ok].tolist())
    # An answer given without a name keeps its participant here (re-import
    # needs them) and its flag, so every view of the re-imported workshop
    # shows it unattributed too.
    answers = [
        {"participant": participant, "round": rnd, "tool_id": tool, "question_id": question, "kind": kind, "value": value, "created": created}
        | ({"anonymous": True} if anonymous else {})
        for participant, rnd, tool, question, kind, value, created, anonymous in rows
    ]
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "exported": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "content": {"title": kit.source.title, "url": kit.source.url, "schema_version": kit.schema_version},
        "workshop": ws.to_dict(),
        "participants": [
            {
                "id": p.id,
                "key": keys[p.id],
                "name": p.name,
                "organization": p.organization,
                "sector": p.sector,
                "table": p.table,
                "created": p.created,
                "resume_code": codes.get(p.id) or None,
            }
            for p in source.people
        ],
        "answers": answers,
        "superseded": [
            {
                "participant": s.participant_id,
                "round": s.round,
                "tool_id": s.tool_id,
                "question_id": s.question_id,
                "kind": s.kind,
                "value": s.value,
                "created": s.created,
            }
            for s in store.superseded(slug)
            if s.participant_id in shown
        ],
        "table_answers": [_table_row(r) for r in store.table_answer_rows(slug) if _table_row_ok(r, shown)],
        "table_superseded": [_table_row(r) for r in store.table_superseded(slug) if _table_row_ok(r, shown)],
        "actions": [
            {
                "tool_id": a.tool_id,
                "what": a.what,
                "owner": a.owner,
                "owner_sector": a.owner_sector,
                "due": a.due,
                "status": a.status,
                "participant": a.participant_id,
                "created": a.created,
                "updated": a.updated,
            }
            for a in source.actions
        ],
    }


def _table_row_ok(row: Any, shown: set[int]) -> bool:
    """A table answer row the file can keep (and import again): written by
    a participant in the file or the table's shared device, at a real
    time, within the answer limit; like the answers, others are left out."""
    from toolkit.frames.rows import is_time
    from toolkit.store.checks import MAX_ANSWER_CHARS

    return (row.participant_id is None or row.participant_id in shown) and is_time(row.created) and len(row.value) <= MAX_ANSWER_CHARS


def _table_row(row: Any) -> dict[str, Any]:
    """A table answer row as the JSON file keeps it: ``participant`` is the
    member who wrote it, ``None`` for the table's shared device."""
    return {
        "table": row.table, "round": row.round, "tool_id": row.tool_id, "question_id": row.question_id,
        "value": row.value, "participant": row.participant_id, "created": row.created,
    }


# --------------------------------------------------------------------------
# Files


def _target(path: str | os.PathLike[str] | None, name: str) -> Path:
    if path is None:
        return Path.cwd() / name
    from toolkit.paths import private_dir

    p = Path(path).expanduser()
    if p.is_dir() or str(path).endswith(os.sep):
        return private_dir(p) / name  # folders made for an export are private, as the file is (mkstemp)
    private_dir(p.parent)
    return p


@contextlib.contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, moved into place on success."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


# --------------------------------------------------------------------------
# Handout


def export_handout(
    kit: Any,
    fmt: str = "html",
    path: str | os.PathLike[str] | None = None,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write the toolkit handout (:func:`toolkit.exports.guide.render_handout_html`)
    as ``html`` or ``pdf`` and return the path; ``path`` as in
    :func:`export_workshop`."""
    from toolkit.exports import guide
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in ("html", "pdf"):
        raise InvalidAnswer(f"handout format: expected html or pdf, got {fmt!r}")
    tick = progress or (lambda done, total, label: None)
    target = _target(path, f"intersector-toolkit-handout.{fmt}")
    tick(0, 2, "laying out the handout")
    text = guide.render_handout_html(kit, today=today)
    with _atomic(target) as tmp:
        if fmt == "html":
            tmp.write_text(text, encoding="utf-8")
        else:
            from toolkit.exports import pdf
            tick(1, 2, "printing the PDF with Chromium")
            pdf.html_to_pdf(text, tmp)
    tick(2, 2, "done")
    return target
