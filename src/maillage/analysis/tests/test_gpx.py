"""GPX import: parsing both ways, clear errors, Douglas–Peucker, length, export round trip."""

from __future__ import annotations

import numpy as np
import pytest

from maillage.analysis.gpx import (
    GpxError,
    Track,
    import_gpx,
    parse_gpx,
    simplify,
    to_gpx,
    track_length_km,
)

HEADER = b'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'


def gpx(body: bytes) -> bytes:
    return HEADER + body + b"</gpx>"


PLAIN = gpx(
    b"<trk><name>Boucle de la Doller</name><trkseg>"
    b'<trkpt lat="47.75" lon="7.33"><ele>240.5</ele><time>2024-05-01T08:00:00Z</time></trkpt>'
    b'<trkpt lat="47.76" lon="7.33"><ele>241</ele><time>2024-05-01T08:10:00Z</time></trkpt>'
    b'</trkseg><trkseg><trkpt lat="47.80" lon="7.40"></trkpt></trkseg></trk>'
)


def test_plain_file_is_read_with_names_elevations_times_and_segments():
    track = parse_gpx(PLAIN)
    assert track.name == "Boucle de la Doller"
    assert track.lat.tolist() == [47.75, 47.76, 47.80]
    assert track.ele[:2].tolist() == [240.5, 241.0] and np.isnan(track.ele[2])
    assert str(track.time[1]) == "2024-05-01T08:10:00" and np.isnat(track.time[2])
    assert track.segment_starts.tolist() == [0, 2, 3]


def test_unusual_files_take_the_tree_parser_and_give_the_same_points():
    # Comment, swapped attributes and a time offset: not the fast path's shape.
    unusual = (
        PLAIN.replace(b"<trk>", b"<!-- exported --><trk>")
        .replace(b'lat="47.76" lon="7.33"', b'lon="7.33" lat="47.76"')
        .replace(b"08:10:00Z", b"10:10:00+02:00")
    )
    fast, tree = parse_gpx(PLAIN), parse_gpx(unusual)
    assert tree.lat.tolist() == fast.lat.tolist()
    assert tree.time[1] == fast.time[1]
    assert tree.segment_starts.tolist() == fast.segment_starts.tolist()


def test_gpx_1_0_and_files_on_disk_are_read(tmp_path):
    path = tmp_path / "old.gpx"
    path.write_bytes(PLAIN.replace(b"GPX/1/1", b"GPX/1/0"))
    assert len(parse_gpx(path)) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 zip", "not a GPX file: invalid XML at line 1"),
        (b'<?xml version="1.0"?><kml><Document/></kml>', "root element is <kml>, not <gpx>"),
        (
            gpx(b'<wpt lat="1" lon="2"/><rte><rtept lat="1" lon="2"/></rte>'),
            r"has no track \(it only has 1 wpt, 1 rte\)",
        ),
        (gpx(b"<trk><trkseg></trkseg></trk>"), "has no track$"),
        (
            gpx(b'<trk><trkseg><trkpt lat="95" lon="7"/></trkseg></trk>'),
            "track point 1 has impossible coordinates",
        ),
        (gpx(b'<trk><trkseg><trkpt lon="7"/></trkseg></trk>'), "track point 1 has no lat"),
        (gpx(b'<trk><trkseg><trkpt lat="x" lon="7"></trkpt></trkseg></trk>'), "not a number"),
        (PLAIN[:-20], "invalid XML"),
        (b"", "not a GPX file"),
    ],
)
def test_bad_files_are_refused_with_an_error_naming_the_problem(content, message):
    with pytest.raises(GpxError, match=message):
        parse_gpx(content)


def _straight_track(n: int, noise_m: float) -> Track:
    rng = np.random.default_rng(1)
    lat = 47.75 + np.arange(n) * 1e-4
    lon = 7.33 + rng.normal(0, noise_m / 74_800, n)  # across the track: 1° lon ≈ 74.8 km here
    return Track("t", lat, lon, np.full(n, np.nan),
                 np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"), np.array([0, n]))  # fmt: skip


def test_douglas_peucker_keeps_the_ends_of_a_straight_line_only():
    result = simplify(_straight_track(10_000, 0.0), tolerance_m=1.0)
    assert (result.kept, result.dropped) == (2, 9_998)
    assert result.length_km == pytest.approx(
        track_length_km(_straight_track(10_000, 0.0)), rel=1e-9
    )


def test_douglas_peucker_keeps_a_corner_and_every_kept_point_is_within_tolerance():
    lat = np.r_[np.linspace(47.0, 47.01, 50), np.full(50, 47.01)]
    lon = np.r_[np.full(50, 7.0), np.linspace(7.0, 7.02, 50)]
    track = Track("L", lat, lon, np.full(100, np.nan), np.full(100, np.datetime64("NaT"), dtype="datetime64[s]"), np.array([0, 100]))  # fmt: skip
    result = simplify(track, tolerance_m=5.0)
    assert result.kept == 3
    assert result.track.lat.tolist() == [47.0, 47.01, 47.01]


def test_noise_below_tolerance_is_dropped_and_above_is_kept():
    quiet = simplify(_straight_track(2_000, 1.0), tolerance_m=20.0)
    noisy = simplify(_straight_track(2_000, 50.0), tolerance_m=20.0)
    assert quiet.kept < 20 < noisy.kept


def test_length_is_haversine_within_segments_not_across_gaps():
    track = parse_gpx(PLAIN)
    assert track_length_km(track) == pytest.approx(1.112, abs=0.002)


def test_export_then_import_gives_the_same_track():
    track = parse_gpx(PLAIN)
    again = parse_gpx(to_gpx(track))
    assert again.name == track.name
    assert np.allclose(again.lat, track.lat) and again.segment_starts.tolist() == [0, 2, 3]
    assert again.time[0] == track.time[0]


def test_import_reports_kept_and_dropped_and_refuses_a_bad_tolerance():
    result = import_gpx(PLAIN, tolerance_m=5.0)
    assert result.kept + result.dropped == 3
    with pytest.raises(ValueError, match="positive number of metres"):
        simplify(parse_gpx(PLAIN), 0)
