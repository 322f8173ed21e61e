"""No other dependency may replace Whoosh 2.7.4 (every fork's refresh() returns duplicates)."""

from importlib.metadata import distribution, packages_distributions


def test_whoosh_comes_from_the_original_distribution_at_2_7_4():
    assert packages_distributions()["whoosh"] == ["Whoosh"]
    assert distribution("Whoosh").version == "2.7.4"
