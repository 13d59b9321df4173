"""`flask courthouses import`: the public court lists import whole with no code, again with no change,
and bad rows and bad files are refused with their reasons (issue 13, finding 10)."""

from __future__ import annotations

import glob
import os

from sqlalchemy import func, select

from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Courthouse))


def by_name(name: str, city: str | None = None) -> Courthouse:
    db.session.expire_all()
    query = select(Courthouse).where(Courthouse.name == name)
    if city is not None:
        query = query.where(Courthouse.city == city)
    return db.session.scalar(query)


def snapshot() -> list[tuple]:
    db.session.expire_all()
    return [
        tuple(getattr(c, column.key) for column in Courthouse.__table__.columns)
        for c in db.session.scalars(select(Courthouse).order_by(Courthouse.id))
    ]


def ma_files(corpora_dir) -> list[str]:
    files = sorted(glob.glob(os.path.join(corpora_dir, "courts", "ma_courts_*.json")))
    assert len(files) == 9
    return files


def eoir_file(corpora_dir) -> str:
    return os.path.join(corpora_dir, "courts", "eoir_immigration_courts.csv")


def test_massachusetts_lists_import_whole_then_reimport_changes_nothing(runner, corpora_dir):
    result = runner.invoke(args=["courthouses", "import", *ma_files(corpora_dir), "--mapping", "ma-courts"])
    assert result.exit_code == 0, result.output
    # 179 entries: 172 distinct names, but three names sit in several cities (Bristol County Superior
    # Court in Taunton, Fall River and New Bedford), and one entry repeats another (Springfield Juvenile
    # Court, same address): 178 courthouses.
    assert "add 178" in result.output and "repeated 1" in result.output and "rejected 0" in result.output
    assert count() == 178
    brighton = by_name("Brighton Division, Boston Municipal Court")
    assert (brighton.phone, brighton.hours) == ("(617) 782-6540, Press 5", "Monday - Friday: 8:30 am-4:30 pm")
    assert (brighton.latitude, brighton.longitude) == (42.347226, -71.153556)
    assert (brighton.timezone, brighton.state, brighton.county, brighton.court_types) == (
        "America/New_York",
        "MA",
        "Suffolk County",
        "criminal",
    )
    central = by_name("Central Division, Boston Municipal Court")
    assert central.city == "Boston" and central.street_address.endswith("Edward W. Brooke Courthouse")
    bristol = {
        c.city: c.slug
        for c in db.session.scalars(select(Courthouse).where(Courthouse.name == "Bristol County Superior Court"))
    }
    assert bristol == {
        "Taunton": "bristol-county-superior-court-taunton",
        "Fall River": "bristol-county-superior-court-fall-river",
        "New Bedford": "bristol-county-superior-court-new-bedford",
    }
    assert by_name("Eastern Housing Court", "Boston").court_types == "civil_housing"
    assert by_name("Central Housing Court - Dudley Session").city == "Dudley"
    before = snapshot()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))

    again = runner.invoke(args=["courthouses", "import", *ma_files(corpora_dir)])  # recognised without --mapping
    assert again.exit_code == 0, again.output
    assert "mapping ma-courts (recognised from the columns)" in again.output
    assert "add 0" in again.output and "change 0" in again.output and "unchanged 178" in again.output
    assert snapshot() == before
    # Only the import itself is recorded, no courthouse.updated.
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events + 1


def test_eoir_list_is_recognised_and_zones_come_from_the_state(runner, corpora_dir):
    result = runner.invoke(args=["courthouses", "import", eoir_file(corpora_dir)])
    assert result.exit_code == 0, result.output
    assert "mapping eoir (recognised from the columns)" in result.output
    assert "add 71" in result.output and "repeated 1" in result.output  # Atlanta's second address
    assert "eoir_immigration_courts.csv line 5: Repeats line 4 (same name and city); skipped." in result.output
    assert count() == 71
    assert {c.court_types for c in db.session.scalars(select(Courthouse))} == {"immigration"}
    assert by_name("Honolulu Immigration Court").timezone == "Pacific/Honolulu"
    assert by_name("Saipan Immigration Court").timezone == "Pacific/Saipan"
    assert by_name("Chicago Immigration Court").timezone == "America/Chicago"
    # Texas spans two zones: El Paso's ZIP code lies in Mountain time (the state would say Central).
    assert "El Paso Immigration Court, El Paso — America/Denver (from the ZIP code's location)" in result.output
    assert by_name("El Paso Immigration Court", "El Paso").timezone == "America/Denver"
    assert "CHECK" not in result.output
    again = runner.invoke(args=["courthouses", "import", eoir_file(corpora_dir), "--mapping", "eoir"])
    assert "add 0" in again.output and "change 0" in again.output and "unchanged 71" in again.output


def test_dry_run_writes_nothing(runner, corpora_dir):
    result = runner.invoke(args=["courthouses", "import", eoir_file(corpora_dir), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "add 71" in result.output and "dry run: nothing was written" in result.output
    assert count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_time_zone_from_coordinates_before_the_state(runner, tmp_path):
    path = tmp_path / "courts.csv"
    path.write_text(
        "Name,City,State,Latitude,Longitude,Time zone,ZIP\n"
        "El Paso County Courthouse,El Paso,TX,31.7587,-106.4869,,77002\n"  # the coordinates win
        "Dallas County Courthouse,Dallas,TX,,,,\n"
        "Pinal County Courthouse,Florence,AZ,,,America/Phoenix,\n"
        "Escambia County Courthouse,Pensacola,FL,,,,32502\n"
        "Wrong Zip Courthouse,Miami,FL,,,,02135\n"  # a Boston ZIP: not in Florida, so not used
    )
    result = runner.invoke(args=["courthouses", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "El Paso County Courthouse, El Paso — America/Denver (from the coordinates)" in result.output
    assert "Pinal County Courthouse, Florence — America/Phoenix (from the file)" in result.output
    # Florida's panhandle keeps Central time; Texas without coordinates or ZIP asks for a check.
    assert "Escambia County Courthouse, Pensacola — America/Chicago (from the ZIP code's location)" in result.output
    assert "Wrong Zip Courthouse, Miami — America/New_York (from the state, which spans" in result.output
    assert "Dallas County Courthouse, Dallas — America/Chicago (from the state, which spans several zones: " in (
        result.output
    )
    assert by_name("El Paso County Courthouse").timezone == "America/Denver"  # Texas would say Chicago
    assert by_name("Dallas County Courthouse").timezone == "America/Chicago"


def test_changed_rows_update_and_derived_values_never_overwrite_a_correction(runner, tmp_path):
    path = tmp_path / "courts.csv"
    path.write_text("Name,City,State,Phone\nA Court,Austin,TX,512-555-0100\nB Court,El Paso,TX,915-555-0100\n")
    assert runner.invoke(args=["courthouses", "import", str(path)]).exit_code == 0
    b_court = by_name("B Court")
    b_court.timezone = "America/Denver"  # the coordinator fixes the zone the state gave
    db.session.commit()
    path.write_text("Name,City,State,Phone\nA Court,Austin,TX,512-555-0199\nB Court,El Paso,TX,\n")
    result = runner.invoke(args=["courthouses", "import", str(path)])
    assert "change 1" in result.output and "unchanged 1" in result.output, result.output
    assert "change: A Court (phone)" in result.output
    assert by_name("A Court").phone == "512-555-0199"
    # An empty cell erases nothing; a zone worked out from the state fills new courthouses only.
    assert (by_name("B Court").phone, by_name("B Court").timezone) == ("915-555-0100", "America/Denver")


def test_slug_column_is_the_key_and_xlsx_reads(runner, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Slug", "Court name", "Street", "City", "ST", "Zip", "TZ"])
    sheet.append(["kings-crim", "Kings Criminal", "120 Schermerhorn St", "Brooklyn", "NY", "11201", "America/New_York"])
    path = tmp_path / "courts.xlsx"
    workbook.save(path)
    workbook.close()
    assert "add 1" in runner.invoke(args=["courthouses", "import", str(path)]).output
    sheet.cell(row=2, column=2, value="Kings County Criminal Court")  # renamed: same slug, one courthouse
    workbook.save(path)
    result = runner.invoke(args=["courthouses", "import", str(path)])
    assert "change 1" in result.output and "add 0" in result.output, result.output
    assert count() == 1 and by_name("Kings County Criminal Court").slug == "kings-crim"


def test_bad_rows_are_refused_one_reason_each_and_the_rest_import(runner, tmp_path):
    path = tmp_path / "courts.csv"
    path.write_text(
        "Name,City,State,Latitude,Longitude,Time zone,Court type\n"
        "Good Court,Boston,MA,,,,criminal\n"
        ",Boston,MA,,,,\n"
        "Far Court,Nowhere,Massachusets,,,,\n"
        "Lost Court,Boston,MA,142.1,-71.0,,\n"
        "Half Court,Boston,MA,42.1,,,\n"
        "Mars Court,Boston,MA,,,Mars/Olympus,\n"
        "Odd Court,Boston,MA,,,,tax\n"
        "Nozone Court,Nowhere,,,,,\n"
    )
    result = runner.invoke(args=["courthouses", "import", str(path)])
    assert result.exit_code == 0, result.output
    for reason in (
        "line 3: No courthouse name in this row.",
        "line 4: “Massachusets” is not a US state: write its two-letter code.",
        "line 5: “142.1” is not a latitude (from -90 to 90).",
        "line 6: Give both latitude and longitude, or neither.",
        "line 7: “Mars/Olympus” is not a time zone (write America/New_York).",
        "line 8: Unknown court type “tax”.",
        "line 9: No time zone: the row has no coordinates or US state, and no time zone.",
    ):
        assert reason in result.output
    assert "add 1" in result.output and "rejected 7" in result.output
    assert count() == 1


def test_bad_input_is_one_line_on_stderr_exit_2_and_nothing_written(runner, corpora_dir, tmp_path):
    garbage = tmp_path / "broken.json"
    garbage.write_text('[{"name": "A"},')
    cases = [
        (["/no/such/file.csv"], "no such file"),
        ([eoir_file(corpora_dir), "--mapping", "nope"], "no mapping named 'nope'"),
        ([ma_files(corpora_dir)[0], "--mapping", "eoir"], "does not have the columns of “eoir”"),
        ([eoir_file(corpora_dir), str(garbage)], "could not be read near line 1"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["courthouses", "import", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert count() == 0
