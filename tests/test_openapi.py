"""``/api/openapi.json``: a valid OpenAPI 3.1 document that says what the endpoints do.

The ``client`` fixtures check every ``/api/`` response of every test against this document
(``tests/conftest.py``); here the document itself, the checker, and random parameters.
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from werkzeug.datastructures import MultiDict

from search.errors import BadParameter
from search.interface.params import parse_search_args
from search.models import GROUPS, KINDS, MATCHES, SORTS
from tests.conftest import api_response_errors
from web.openapi import document

PARAMS = [
    *("q", "source", "topic", "kind", "from", "to", "sort", "match", "group", "page", "per_page")
]


def test_the_document_is_valid_openapi_3_1(client):
    served = client.get("/api/openapi.json").get_json()
    assert served == document()
    validate(served)
    assert served["openapi"] == "3.1.0"


def test_the_document_lists_exactly_the_api_routes(app):
    routes = {
        rule.rule.replace("<path:story_id>", "{id}").replace("<cluster_id>", "{id}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(document()["paths"])


def test_search_parameters_are_the_ones_the_api_reads():
    parameters = document()["paths"]["/api/search"]["get"]["parameters"]
    assert [p["name"] for p in parameters] == PARAMS
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert by_name["sort"]["enum"] == list(SORTS)
    assert by_name["match"]["enum"] == list(MATCHES)
    assert by_name["kind"]["items"]["enum"] == list(KINDS)
    defaults = parse_search_args(MultiDict())
    assert by_name["page"]["default"] == defaults.page
    assert by_name["per_page"]["default"] == defaults.per_page


def test_every_error_response_is_documented_as_the_error_shape():
    for item in document()["paths"].values():
        for status, response in item["get"]["responses"].items():
            if int(status) >= 400:  # (a 200 may be a file: CSV, JSON Lines)
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}
    error = document()["components"]["schemas"]["Error"]
    assert error["required"] == ["ok", "status", "error"]


def test_the_checker_catches_a_response_that_drifts_from_the_document(client):
    """The checking client is not vacuous: a missing, mistyped or undocumented key fails."""
    response = client.get("/api/search?q=ferry")
    good = response.get_json()
    assert api_response_errors("GET", "/api/search", response) == []
    for broken in [
        {k: v for k, v in good.items() if k != "total"},
        {**good, "total": "1"},
        {**good, "surprise": 1},
        {**good, "hits": [{**good["hits"][0], "published": "31 May"}]},
    ]:
        response.set_data(client.application.json.dumps(broken))
        assert api_response_errors("GET", "/api/search", response), broken


# --- random values for every parameter: never a 500, always JSON, 200 or 400 ---------------

VALID = {
    "sort": list(SORTS),
    "match": list(MATCHES),
    "group": list(GROUPS),
    "kind": list(KINDS),
    "source": ["Harbour Herald", "Metro24", "Channel 9"],
    "topic": ["politics", "sport"],
    "from": ["2024-01-01", "2025-06-30"],
    "to": ["2025-12-31", "2024-03-01"],
    "page": ["1", "2", "3"],
    "per_page": ["1", "10", "100"],
    "q": ['"snap election"', "elect*", "title:storm", "when:7d", "after:2025-01-01 NOT harbour"],
}

value = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.integers().map(str),
    st.integers(min_value=10**18).map(str),
    st.floats(allow_nan=True).map(str),
    st.dates().map(str),
    st.sampled_from(["", " ", "-0", "+1", "1e3", "0x10", "١٢", "NaN", "[", '"', "%", "\x00"]),
)
pair = st.sampled_from(PARAMS).flatmap(
    lambda name: st.tuples(st.just(name), st.one_of(value, st.sampled_from(VALID[name])))
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pairs=st.lists(pair, max_size=8))
def test_random_parameters_never_break_the_search(samples_app, pairs):
    response = samples_app.test_client().get(f"/api/search?{urlencode(pairs)}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    data = response.get_json()
    if response.status_code == 400:
        assert data["param"] in PARAMS


@settings(max_examples=50, deadline=None)
@given(raw=st.binary(max_size=30), story_id=st.text(min_size=1, max_size=20))
def test_undecodable_query_strings_and_odd_ids_never_break(samples_app, raw, story_id):
    client = samples_app.test_client()
    search = client.get(f"/api/search?q={quote_from_bytes(raw)}&source={quote_from_bytes(raw)}")
    assert search.status_code in (200, 400)
    story = client.get(f"/api/stories/{quote_from_bytes(story_id.encode())}?q={raw.hex()}")
    assert story.status_code in (200, 404), story.get_data(as_text=True)


@given(
    st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.just(""),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    )
)
def test_the_document_and_the_server_agree_on_date_parameters(value: str) -> None:
    """A date the document allows is accepted by the server, and one it refuses is refused."""
    from jsonschema import Draft202012Validator

    schema = {p["name"]: p["schema"] for p in _search_parameters()}["to"]
    checker = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    documented = checker.is_valid(value)
    try:
        parse_search_args(MultiDict([("to", value)]))
        accepted = True
    except BadParameter:
        accepted = False
    assert documented == accepted, (value, schema)


def _search_parameters() -> list[dict]:
    return document()["paths"]["/api/search"]["get"]["parameters"]
