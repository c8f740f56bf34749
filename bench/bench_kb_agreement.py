"""How far the classifier agrees with real sites' own cookie declarations (a held-out set).

Run: `.venv/bin/python bench/bench_kb_agreement.py HELD_OUT [--ocd open-cookie-database.csv]`.

HELD_OUT is a CSV file, or a directory of CSV files, with a header naming at least `name` and
`category` (optionally `domain`, `kind` and `site`): each row one cookie or storage key as a site
declares it in its own cookie policy. The held-out data is never committed to the repository, and
the knowledge base is never tuned to it: it is built from vendors' documentation, and this script
only measures.

Declared categories are normalised from the words sites use: Cookiebot's "Necessary, Preferences,
Statistics, Marketing, Unclassified", OneTrust's "Strictly necessary, Functional, Performance,
Targeting", and Norwegian "Nødvendige, Funksjonelle, Statistikk, Markedsføring" (and their
singular and nynorsk forms). Rows declared "Unclassified" or with a word we do not know are left
out of the figures and counted.

Printed for the built-in knowledge base alone and, with --ocd, with an Open Cookie Database import
as the owner's layer (exactly as `consentkit kb import` would store it, without a database):

* agreement: share of rows whose category is the declared one;
* trackers called necessary: share of rows declared analytics or marketing that we call necessary
  (the mistake that sets a tracker without consent);
* unknown: share of rows we leave unclassified (the banner asks consent for them).
"""

from __future__ import annotations

import argparse
import csv
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from consentkit.kb.classifier import Classifier, default_classifier
from consentkit.kb.opencookiedb import parse
from consentkit.kb.schema import KINDS

TRACKING = ("analytics", "marketing")
DECLARED = {
    "necessary": ("necessary", "strictly necessary", "essential", "required", "technical",
                  "nodvendig", "nodvendige", "naudsynt", "naudsynte", "strengt nodvendige",
                  "strengt nodvendig", "tekniske", "teknisk nodvendige"),
    "functional": ("preferences", "preference", "functional", "functionality", "personalization",
                   "funksjonell", "funksjonelle", "preferanser", "innstillinger", "tilpasning"),
    "analytics": ("statistics", "statistic", "analytics", "analytical", "performance",
                  "statistikk", "analyse", "analyser", "ytelse", "malinger"),
    "marketing": ("marketing", "targeting", "advertising", "advertisement", "ads",
                  "markedsforing", "markedsforings", "reklame", "annonsering", "malretting"),
}
WORDS = {word: category for category, words in DECLARED.items() for word in words}


def normalise(declared: str) -> str | None:
    """Our category for a site's word ("Statistikk" -> analytics), or None when unknown."""
    folded = unicodedata.normalize("NFKD", declared.strip().lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("ø", "o")
    folded = folded.replace("æ", "ae").replace("å", "a").replace(" cookies", "")
    folded = folded.replace("informasjonskapsler", "").replace("-", " ").strip(" :")
    if folded in WORDS:
        return WORDS[folded]
    # "Analyse/Statistikk", "Statistics & analytics": every part must agree on one category
    parts = {WORDS.get(part.strip()) for part in folded.replace("&", "/").replace(" og ", "/")
             .replace(" and ", "/").split("/") if part.strip()}
    return parts.pop() if len(parts) == 1 else None


@dataclass(frozen=True)
class Row:
    """One declared item: what the site calls it, and where it came from."""

    name: str
    category: str
    domain: str | None
    kind: str
    site: str


def read_held_out(path: Path) -> tuple[list[Row], Counter[str]]:
    """The usable rows of a CSV file or a directory of them, and the declared words left out."""
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    if not files:
        raise SystemExit(f"{path}: no CSV files")
    rows: list[Row] = []
    skipped: Counter[str] = Counter()
    for file in files:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not {"name", "category"} <= set(reader.fieldnames or []):
                raise SystemExit(f"{file}: needs a header with 'name' and 'category'")
            for raw in reader:
                category = normalise(raw.get("category") or "")
                if category is None or not (raw.get("name") or "").strip():
                    skipped[(raw.get("category") or "").strip() or "(empty)"] += 1
                    continue
                kind = (raw.get("kind") or "cookie").strip()
                rows.append(Row(raw["name"].strip(), category,
                                (raw.get("domain") or "").strip() or None,
                                kind if kind in KINDS else "cookie",
                                (raw.get("site") or file.stem).strip()))
    return rows, skipped


def score(classifier: Classifier, rows: list[Row]) -> dict[str, float]:
    """Agreement, trackers called necessary and unknown, as percentages of the rows."""
    agree = unknown = trackers = trackers_necessary = 0
    for row in rows:
        got = classifier.classify(row.name, domain=row.domain, kind=row.kind).category
        agree += got == row.category
        unknown += got == "unclassified"
        if row.category in TRACKING:
            trackers += 1
            trackers_necessary += got == "necessary"
    return {"agreement": 100 * agree / len(rows),
            "trackers called necessary": 100 * trackers_necessary / max(trackers, 1),
            "unknown": 100 * unknown / len(rows), "rows": len(rows), "trackers": trackers}


def report(label: str, figures: dict[str, float]) -> None:
    print(f"{label:<34} agreement {figures['agreement']:5.1f}%   trackers called necessary "
          f"{figures['trackers called necessary']:5.1f}% (of {figures['trackers']})   "
          f"unknown {figures['unknown']:5.1f}%")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("held_out", type=Path, help="CSV file or directory of CSV files")
    parser.add_argument("--ocd", type=Path, help="an Open Cookie Database CSV to import as well")
    args = parser.parse_args(argv)
    rows, skipped = read_held_out(args.held_out)
    if not rows:
        raise SystemExit(f"{args.held_out}: no row with a known category")
    sites = Counter(row.site for row in rows)
    print(f"{len(rows)} declared items from {len(sites)} site(s); "
          f"left out {sum(skipped.values())} ({', '.join(sorted(skipped)) or 'none'})")
    builtin = default_classifier()
    report("built-in knowledge base", score(builtin, rows))
    if args.ocd:
        entries, errors = parse(args.ocd, f"Open Cookie Database file {args.ocd.name}")
        print(f"imported {len(entries)} Open Cookie Database entries ({len(errors)} rows skipped)")
        report("built-in + Open Cookie Database", score(builtin.with_user_entries(entries), rows))


if __name__ == "__main__":
    main(sys.argv[1:])
