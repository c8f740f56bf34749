"""`consentkit kb import` (Open Cookie Database CSV) and `consentkit classify`, on a real database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from consentkit.commands.classify import classify, kb
from consentkit.db import get_db
from consentkit.kb.opencookiedb import KbImportError, import_open_cookie_db
from consentkit.models import KbEntry

HEADER = ("ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,"
          "Data Controller,User Privacy & GDPR Rights Portals,Wildcard match\n")
GOOD_ROWS = (
    'a1,Acme Stats,Analytics,acme_vis,acme.example (3rd party),"Counts visits, per day",'
    "1 year,Acme Inc,https://acme.example/privacy,0\n"
    "a2,Acme Stats,Functional,acme_lb_,,Routes requests,session,Acme Inc,,1\n"
    "a3,Acme Shop,Personalization,_ga,,Tries to override the built-in entry,2 years,Acme Inc,,0\n"
    "a4,Acme Ads,Marketing,acme_ad,.ads.acme.example,Ad ID,90 days,Acme Inc,,0\n"
)
BAD_ROWS = (
    "b1,Acme,Tracking,acme_bad,,Unknown category,1 year,Acme,,0\n"
    "b2,Acme,Analytics,,,No name,1 year,Acme,,0\n"
    "b3,Acme,Analytics,acme_w,,Bad wildcard,1 year,Acme,,yes\n"
    'b4,Acme,Marketing,acme_vis,acme.example,"A second,\nline",1 year,Acme,,0\n'
    "b5,Acme,Analytics,acme_extra,,Too many,1 year,Acme,,0,surplus\n"
)


def cli_group() -> click.Group:
    """The two commands in a group of their own, as `consentkit` registers them."""
    return click.Group(commands=[classify, kb])


def invoke(app, *args: str) -> click.testing.Result:
    return CliRunner().invoke(cli_group(), list(args), obj=app, catch_exceptions=False)


@pytest.fixture
def ocd_file(tmp_path: Path) -> Path:
    path = tmp_path / "open-cookie-database.csv"
    path.write_text(HEADER + GOOD_ROWS + BAD_ROWS, encoding="utf-8")
    return path


def stored(app) -> list[KbEntry]:
    with get_db(app).session() as session:
        return list(session.scalars(select(KbEntry).order_by(KbEntry.name)))


def test_import_maps_categories_and_reports_bad_rows_by_line(app, ocd_file):
    result = invoke(app, "kb", "import", str(ocd_file))
    assert result.exit_code == 0, result.output
    assert "imported 4 entries" in result.output and "skipped 5 bad row(s)" in result.output
    for expected in ("line 6: unknown Category 'Tracking'", "line 7: empty 'Cookie / Data Key name'",
                     "line 8: Wildcard match must be 0, 1 or empty",
                     "line 9: 'acme_vis' conflicts with line 2",
                     "line 11: 1 more cell(s) than the header has"):
        assert expected in result.output
    entries = {e.name: e for e in stored(app)}
    # nothing imported is necessary: the Open Cookie Database's Functional holds trackers too
    assert {n: e.category for n, e in entries.items()} == {
        "acme_vis": "analytics", "acme_lb_": "functional", "_ga": "functional",
        "acme_ad": "marketing"}
    assert entries["acme_lb_"].match == "prefix"
    assert entries["acme_vis"].domain == "acme.example"
    assert entries["acme_ad"].domain == "ads.acme.example"
    assert entries["acme_vis"].provider == "Acme Stats"
    assert entries["acme_vis"].purpose_en == "Counts visits, per day"


def test_reimport_replaces_instead_of_duplicating(app, ocd_file):
    invoke(app, "kb", "import", str(ocd_file))
    again = invoke(app, "kb", "import", str(ocd_file))
    assert "replacing 4 from an earlier import" in again.output
    assert len(stored(app)) == 4


def test_nothing_valid_exits_1_and_writes_nothing(app, tmp_path):
    path = tmp_path / "bad.csv"
    invalid = BAD_ROWS.split("b4,")[0]  # b4 is only bad next to a1
    path.write_text(HEADER + invalid, encoding="utf-8")
    result = invoke(app, "kb", "import", str(path))
    assert result.exit_code == 1
    assert "nothing imported from bad.csv" in result.output
    assert stored(app) == []


def test_wrong_columns_and_missing_file(app, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,category\n_ga,analytics\n", encoding="utf-8")
    result = invoke(app, "kb", "import", str(path))
    assert result.exit_code == 1 and "missing column(s)" in result.output
    assert invoke(app, "kb", "import", str(tmp_path / "nope.csv")).exit_code == 2


def test_library_import_is_all_or_nothing(app, ocd_file):
    with pytest.raises(RuntimeError), get_db(app).session() as session:
        result = import_open_cookie_db(session, ocd_file)
        assert result.imported == 4
        raise RuntimeError("the caller fails after the import")
    assert stored(app) == []


def test_library_import_of_a_header_only_file_raises(app, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(KbImportError, match="the file has no rows"), \
            get_db(app).session() as session:
        import_open_cookie_db(session, path)


def test_imported_entries_never_override_built_in_ones(app, ocd_file):
    invoke(app, "kb", "import", str(ocd_file))
    data = json.loads(invoke(app, "classify", "_ga", "--json").output)
    assert (data["category"], data["rule"]) == ("analytics", "exact")
    assert "imported" not in data["reason"]
    gap = json.loads(invoke(app, "classify", "acme_vis", "--json").output)
    assert (gap["category"], gap["rule"]) == ("analytics", "imported")
    assert "imported from Open Cookie Database file open-cookie-database.csv" in gap["reason"]
    builtin = json.loads(invoke(app, "classify", "acme_vis", "--json", "--builtin-only").output)
    assert builtin["rule"] != "imported"


def test_an_imported_functional_entry_asks_for_consent_and_review(app, ocd_file):
    invoke(app, "kb", "import", str(ocd_file))
    data = json.loads(invoke(app, "classify", "acme_lb_x", "--json").output)
    assert (data["category"], data["needs_review"]) == ("functional", True)


def test_an_imported_functional_entry_on_a_tracker_host_takes_the_host_category(app, tmp_path):
    path = tmp_path / "ocd.csv"
    path.write_text(HEADER + "h1,Hotjar,Functional,_hjUnknownNew,hotjar.com (3rd party),"
                    "Sampling,1 year,Hotjar,,0\n"
                    "h2,Some Vendor,Functional,zz_vendor_state,,State,1 year,Vendor,,0\n",
                    encoding="utf-8")
    invoke(app, "kb", "import", str(path))
    on_host = json.loads(invoke(app, "classify", "_hjUnknownNew", "--json").output)
    assert on_host["category"] == "analytics" and on_host["provider"] == "Hotjar"
    set_by = json.loads(invoke(app, "classify", "zz_vendor_state", "--setter",
                               "https://static.criteo.net/js/ld/publishertag.js", "--json").output)
    assert (set_by["category"], set_by["rule"]) == ("marketing", "host")


def test_classify_prints_answer_and_reason(app):
    result = invoke(app, "classify", "IDE", "--domain", ".doubleclick.net")
    assert result.exit_code == 0
    assert result.output.startswith("IDE: marketing (Google DoubleClick), confidence high")
    assert "rule: exact: exact name IDE" in result.output and "formål:" in result.output
    by_setter = invoke(app, "classify", "zz9", "--setter", "https://connect.facebook.net/x.js")
    assert "rule: host:" in by_setter.output and "set by connect.facebook.net" in by_setter.output


def test_classify_usage_errors_exit_2(app, tmp_path):
    assert invoke(app, "classify").exit_code == 2
    (tmp_path / "in.csv").write_text("name\n_ga\n", encoding="utf-8")
    assert invoke(app, "classify", "_ga", "--csv", str(tmp_path / "in.csv")).exit_code == 2
    assert invoke(app, "classify", "_ga", "--kind", "cache").exit_code == 2


def test_classify_csv_adds_columns_and_keeps_others(app, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("name,domain,site\n_ga,.example.no,a\nIDE,.doubleclick.net,b\n"
                      "qq_unknown,,c\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    result = invoke(app, "classify", "--csv", str(source), "-o", str(target))
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["name", "domain", "site", "category", "provider", "purpose",
                             "confidence", "reason"]
    assert [(r["name"], r["category"], r["site"]) for r in rows] == [
        ("_ga", "analytics", "a"), ("IDE", "marketing", "b"), ("qq_unknown", "unclassified", "c")]
    assert rows[0]["purpose"].startswith("Stores a random ID")


def test_classify_csv_without_name_column_fails(app, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("cookie,domain\n_ga,\n", encoding="utf-8")
    result = invoke(app, "classify", "--csv", str(source))
    assert result.exit_code == 1 and "'name' column" in result.output


def test_import_count_matches_database(app, ocd_file):
    invoke(app, "kb", "import", str(ocd_file))
    with get_db(app).session() as session:
        assert session.scalar(select(func.count()).select_from(KbEntry)) == 4
