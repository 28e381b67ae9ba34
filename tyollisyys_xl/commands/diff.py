"""tyollisyys-xl diff OLD.xlsm NEW.xlsm [--format text|json|csv]: what changed in the input tables.

Rows are matched by their key (an entry's indicator, month and municipality; a commitment's id; …),
never by position; Mittarit (targets, baselines) comes first under its own heading. Personal identity
codes are never shown. Exit codes as diff(1): 0 = the same, 1 = they differ, 2 = a file cannot be read.

`tyollisyys-xl diff --textconv FILE` prints one workbook's tables as keyed lines sorted by key, which
is what git's textconv diff driver needs (docs/workbook.md: "Reviewing the master in git").
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

FORMATS = ("text", "json", "csv")
EXIT_SAME, EXIT_DIFFERENT, EXIT_UNREADABLE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="TYÖKIRJA",
                        help="vanha ja uusi päätyökirja (--textconv: yksi työkirja); niitä vain luetaan")
    parser.add_argument("--format", choices=FORMATS, default="text", help="tulosteen muoto (oletus: text)")
    parser.add_argument("--textconv", action="store_true",
                        help="tulosta yhden työkirjan taulut avaimittain riveinä (gitin textconv-ajuria varten)")


def render(diff, old: Path, new: Path, file_format: str) -> str:
    """The diff in the chosen format ("" for text and csv when nothing differs)."""
    from tyollisyys_xl.core.rowdiff import as_document, csv_rows, format_text

    if file_format == "json":
        return json.dumps({"old": old.name, "new": new.name, **as_document(diff)}, ensure_ascii=False, indent=2)
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(csv_rows(diff))
        return buffer.getvalue().rstrip("\n")
    return format_text(diff)


def textconv(path: Path) -> str:
    from tyollisyys_xl.core.rowdiff import dump_lines
    from tyollisyys_xl.master.versions import read_versions
    from tyollisyys_xl.schemas import table_schemas

    schemas = table_schemas()
    rows, notes = read_versions(path, schemas)
    lines = [f"# {note}" for note in notes]
    for name, table in rows.items():
        if table is not None:
            lines += [f"== {schemas[name].sheet} ({len(table.rows)} riviä) ==", *dump_lines(schemas[name], table)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.core.rowdiff import TEXT_LIMIT, diff_workbooks
    from tyollisyys_xl.master.reading import BuildError
    from tyollisyys_xl.master.versions import read_versions
    from tyollisyys_xl.schemas import table_schemas

    wanted = 1 if args.textconv else 2
    if len(args.files) != wanted:
        sys.stderr.write("Virhe: anna " + ("yksi työkirja --textconv-valitsimen kanssa.\n" if args.textconv
                                           else "kaksi työkirjaa: vanha ja uusi.\n"))
        return EXIT_UNREADABLE
    try:
        if args.textconv:
            sys.stdout.write(textconv(args.files[0]) + "\n")
            return EXIT_SAME
        schemas = table_schemas()
        (old, old_notes), (new, new_notes) = (read_versions(path, schemas) for path in args.files)
    except BuildError as exc:
        sys.stderr.write(f"Työkirjaa ei voi lukea: {exc}\n")
        return EXIT_UNREADABLE
    for note in [*old_notes, *new_notes]:
        sys.stderr.write(f"Huom. {note}\n")
    diff = diff_workbooks(schemas, old, new, limit=TEXT_LIMIT if args.format == "text" else None)
    output = render(diff, *args.files, args.format)
    if output:
        sys.stdout.write(output + "\n")
    return EXIT_SAME if diff.same else EXIT_DIFFERENT
