"""The historical record in data/: the shipped files load as their README describes them, every
malformed row is refused in one line naming file, row and field, and the counts are exact."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from sim import months
from sim.errors import RecordError
from sim.record.events import DATA_DIR, EVENTS_FILE, TRACKS, TYPES, load_events
from sim.record.indicators import INDICATORS_FILE, load_indicators

# data/README.md, "Coverage by track": rows per track in 1992–99, 2000–09, 2010–19, 2020–23.
PERIODS = ((1992, 1999), (2000, 2009), (2010, 2019), (2020, 2023))
COVERAGE = {"economic": (3, 4, 17, 15), "energy": (0, 7, 17, 7), "monetary": (3, 7, 4, 6),
            "political": (7, 14, 14, 18), "security": (0, 4, 9, 15)}

# data/README.md, the indicator table (with the variants it names).
LISTED = """gdp_belarus gdp_russia gdp_ratio_russia_to_belarus population_belarus population_russia
population_ratio_russia_to_belarus brent_price_annual_mean gas_price_europe_reference_imf
gas_price_europe_reference_imf_per_1000m3 gas_price_russia_to_belarus gas_price_russia_to_belarus_subperiod
gas_price_gazprom_europe_average gas_price_gazprom_europe_indicative trade_turnover_belarus_russia
trade_turnover_belarus_russia_alt trade_turnover_belarus_russia_russian_data russia_share_belarus_total_trade
russia_share_belarus_exports russia_share_belarus_imports crude_oil_supplied_to_belarus
crude_oil_supplied_to_belarus_plan belarus_debt_to_russia belarus_debt_to_russia_alt
belarus_new_borrowing_from_russia_govt_and_banks belarus_external_public_debt rouble_share_bilateral_settlements
union_state_budget union_programmes_funded joint_exercise_personnel_declared eu_belarus_regime_listings_cumulative
russia_share_foreign_investment_inflows_belarus russian_investment_into_belarus""".split()

EVENTS_HEADER = "date,tracks,direction,magnitude,type,title,source\n"
GOOD_EVENT = "2000-01-26,political,1,3,treaty,Treaty in force,https://example.org\n"
INDICATORS_HEADER = "year,indicator,value,unit,source\n"
GOOD_INDICATOR = "2020,gdp_belarus,61.4,USD bn,https://example.org\n"


# ---- the shipped files -----------------------------------------------------------------------

def test_the_shipped_events_are_the_128_of_the_readme_from_1994_to_2023():
    events = load_events()
    assert len(events) == 128 and events.track_names == TRACKS
    assert (months.text(events.month.min()), months.text(events.last_month)) == ("1994-04", "2023-12")
    order = events.month * 32 + events.day
    assert (np.diff(order) >= 0).all()
    assert set(events.type) <= set(TYPES) and events.tracks.any(axis=1).all()


def test_coverage_by_track_and_period_is_the_readme_table():
    counts = load_events().yearly_counts(1992, 2023)
    for t, track in enumerate(TRACKS):
        got = tuple(int(counts[first - 1992:last - 1992 + 1, t].sum()) for first, last in PERIODS)
        assert got == COVERAGE[track], track


def test_the_shipped_indicators_hold_every_indicator_of_the_readme_table_to_2023():
    indicators = load_indicators()
    assert set(LISTED) <= set(indicators.names()), sorted(set(LISTED) - set(indicators.names()))
    assert indicators.last_year == 2023 and len(indicators.year) == 399
    for name in ("gdp_belarus", "gdp_russia", "population_belarus", "population_ratio_russia_to_belarus"):
        assert list(indicators.series(name)) == list(range(1995, 2024)), name
    assert list(indicators.series("brent_price_annual_mean")) == list(range(1992, 2024))
    assert set(indicators.kind) == {"observed", "derived", "estimate"}


def test_the_readme_gives_the_sha256_of_the_copied_files():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for path in (EVENTS_FILE, INDICATORS_FILE):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.search(rf"`{path.name}` \|.*`{digest}`", readme), path.name


# ---- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("row, field", [
    ("2020-13-01,political,1,1,treaty,t,s", "date"),
    ("2021-02-29,political,1,1,treaty,t,s", "date"),
    ("2020-05-00,political,1,1,treaty,t,s", "date"),
    ("2020/05/01,political,1,1,treaty,t,s", "date"),
    ("20-05,political,1,1,treaty,t,s", "date"),
    (",political,1,1,treaty,t,s", "date"),
    ("2020-05,,1,1,treaty,t,s", "tracks"),
    ("2020-05,political;,1,1,treaty,t,s", "tracks"),
    ("2020-05,trade,1,1,treaty,t,s", "tracks"),
    ("2020-05,energy;political;energy,1,1,treaty,t,s", "tracks"),
    ("2020-05,political,2,1,treaty,t,s", "direction"),
    ("2020-05,political,x,1,treaty,t,s", "direction"),
    ("2020-05,political,,1,treaty,t,s", "direction"),
    ("2020-05,political,1,0,treaty,t,s", "magnitude"),
    ("2020-05,political,1,4,treaty,t,s", "magnitude"),
    ("2020-05,political,1,1.5,treaty,t,s", "magnitude"),
    ("2020-05,political,1,1,referendum,t,s", "type"),
    ("2020-05,political,1,1,Treaty,t,s", "type"),
    ("2020-05,political,1,1,treaty,,s", "title"),
    ("2020-05,political,1,1,treaty,t, ", "source"),
    ("2020-05,political,1,2,sanctions,t,s", "direction"),
    ("2020-05,political,-1,1,detente,t,s", "direction"),
    ("2020-05,political,1,1,treaty,t, with a comma,s", "fields"),
])
def test_a_malformed_event_row_is_named_by_file_row_and_field(tmp_path, row, field):
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_HEADER + GOOD_EVENT + row + "\n", encoding="utf-8")
    with pytest.raises(RecordError) as error:
        load_events(path)
    _assert_names(str(error.value), "events.csv row 3", field)


@pytest.mark.parametrize("row, field", [
    ("20x9,gdp_belarus,1,USD bn,s", "year"),
    ("2009.0,gdp_belarus,1,USD bn,s", "year"),
    ("1899,gdp_belarus,1,USD bn,s", "year"),
    ("2101,gdp_belarus,1,USD bn,s", "year"),
    ("2009,gdp_belarus,abc,USD bn,s", "value"),
    ("2009,gdp_belarus,nan,USD bn,s", "value"),
    ("2009,gdp_belarus,inf,USD bn,s", "value"),
    ("2009,gdp_belarus,,USD bn,s", "value"),
    ("2009,,1,USD bn,s", "indicator"),
    ("2009,gdp_belarus,1,,s", "unit"),
    ("2009,gdp_belarus,1,USD bn,", "source"),
    ("2009,gdp_belarus,1,USD bn", "fields"),
])
def test_a_malformed_indicator_row_is_named_by_file_row_and_field(tmp_path, row, field):
    path = tmp_path / "indicators.csv"
    path.write_text(INDICATORS_HEADER + GOOD_INDICATOR + row + "\n", encoding="utf-8")
    with pytest.raises(RecordError) as error:
        load_indicators(path)
    _assert_names(str(error.value), "indicators.csv row 3", field)


@pytest.mark.parametrize("load, header, column", [
    (load_events, "date,tracks,direction,magnitude,title,source\n", "type"),
    (load_events, "", "date"),
    (load_indicators, "year,indicator,value,source\n", "unit"),
])
def test_a_missing_column_is_named_in_row_1(tmp_path, load, header, column):
    path = tmp_path / "record.csv"
    path.write_text(header, encoding="utf-8")
    with pytest.raises(RecordError) as error:
        load(path)
    _assert_names(str(error.value), "record.csv row 1", repr(column))


@pytest.mark.parametrize("load", [load_events, load_indicators])
def test_a_missing_file_is_named(tmp_path, load):
    with pytest.raises(RecordError, match=r"nothing\.csv: no such data file$"):
        load(tmp_path / "nothing.csv")


def test_only_the_given_tracks_are_known(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_HEADER + "2020-05,energy,1,1,treaty,t,s\n" + GOOD_EVENT, encoding="utf-8")
    assert load_events(path, tracks=("energy", "political")).tracks.tolist() == [[False, True], [True, False]]
    with pytest.raises(RecordError) as error:
        load_events(path, tracks=("energy",))
    _assert_names(str(error.value), "events.csv row 3", "tracks")


def _assert_names(message: str, where: str, field: str) -> None:
    """One line that starts with the file and row and names the field."""
    assert "\n" not in message and message.startswith(where + ":") and field in message, message


# ---- the arrays, by hand ---------------------------------------------------------------------

TINY = EVENTS_HEADER + """\
2001-03-02,energy;economic,-1,2,dispute,Gas dispute,s
2000-05,political,1,1,council,Council session,s
2001-01-15,energy,1,2,agreement,Gas deal,s
2000-05-20,security,1,2,exercise,Exercise,s
2000-05-20,political;security,0,1,election,Election,s
2002-07,economic,0,2,sanctions,Sanctions,s
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(TINY, encoding="utf-8")
    return load_events(path)


def test_rows_are_sorted_by_date_a_month_before_its_days_ties_in_file_order(tiny):
    assert tiny.title.tolist() == ["Council session", "Exercise", "Election", "Gas deal", "Gas dispute", "Sanctions"]
    assert tiny.day.tolist() == [0, 20, 20, 15, 2, 0]
    assert [months.text(m) for m in tiny.month] == ["2000-05", "2000-05", "2000-05", "2001-01", "2001-03", "2002-07"]
    assert tiny.direction.tolist() == [1, 1, 0, 1, -1, 0] and tiny.magnitude.tolist() == [1, 2, 1, 2, 2, 2]
    assert tiny.last_month == months.parse("2002-07")


def test_between_keeps_both_ends_and_on_marks_the_rows_of_a_track(tiny):
    assert tiny.between(months.parse("2000-05"), months.parse("2001-01")).title.tolist() == [
        "Council session", "Exercise", "Election", "Gas deal"]
    assert len(tiny.between(months.parse("2000-06"), months.parse("2000-12"))) == 0
    part = tiny.between(months.parse("2001-01"), months.parse("2001-03"))
    assert part.track_names == TRACKS and part.tracks.tolist() == [[False, True, False, False, False],
                                                                   [True, True, False, False, False]]
    assert tiny.on("security").tolist() == [False, True, True, False, False, False]
    assert tiny.on("energy").tolist() == [False, False, False, True, True, False]
    with pytest.raises(RecordError, match="'trade': must be one of economic, energy"):
        tiny.on("trade")


def test_yearly_counts_count_a_row_once_per_track(tiny):
    #                           economic energy monetary political security
    np.testing.assert_array_equal(tiny.yearly_counts(2000, 2002), [[0, 0, 0, 2, 2],    # 2000
                                                                   [1, 2, 0, 0, 0],    # 2001
                                                                   [1, 0, 0, 0, 0]])   # 2002
    np.testing.assert_array_equal(tiny.yearly_counts(1999, 2000, direction=1), [[0, 0, 0, 0, 0], [0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(tiny.yearly_counts(2001, 2001, direction=-1), [[1, 1, 0, 0, 0]])
    np.testing.assert_array_equal(tiny.yearly_counts(2000, 2001, types=("dispute", "election")),
                                  [[0, 0, 0, 1, 1], [1, 1, 0, 0, 0]])
    np.testing.assert_array_equal(tiny.yearly_counts(2000, 2002, direction=0, types="sanctions"),
                                  [[0] * 5, [0] * 5, [1, 0, 0, 0, 0]])
    with pytest.raises(RecordError, match="'embargo': must be one of treaty"):
        tiny.yearly_counts(2000, 2002, types=("embargo",))


def test_indicators_series_kinds_and_unknown_names(tmp_path):
    path = tmp_path / "indicators.csv"
    path.write_text(INDICATORS_HEADER + """\
2021,debt,8.5,USD bn,https://a
2020,debt,8.34,USD bn (ESTIMATE),DERIVED: 2021 value / 1.019
2019,debt,8.1,USD bn,DERIVED from https://b
2023,gas,1.5,USD/MMBtu,INFERENCE from absence ; DERIVED
2015,gas_subperiod,134,USD (Jan),c
2015,gas_subperiod,142.4,USD (Dec),c
""", encoding="utf-8")
    indicators = load_indicators(path)
    assert indicators.names() == ("debt", "gas", "gas_subperiod") and indicators.last_year == 2023
    assert indicators.series("debt") == {2019: 8.1, 2020: 8.34, 2021: 8.5} and list(indicators.series("debt")) == [
        2019, 2020, 2021]
    assert indicators.kind.tolist() == ["observed", "estimate", "derived", "inference", "observed", "observed"]
    with pytest.raises(RecordError, match=r"'gas_subperiod' has several values in 2015"):
        indicators.series("gas_subperiod")
    with pytest.raises(RecordError, match=r"'gdp' is not in the record; known: debt, gas, gas_subperiod$"):
        indicators.series("gdp")
