"""The API fuzzed from its own OpenAPI document (schemathesis, positive and
negative cases, with and without the operator token): no 5xx, ever, and
every error body is one line."""

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from _server_util import SimProver, sim_venue, token
from zkats.server.app import create_app

EXAMPLES = int(os.environ.get("ZKATS_API_FUZZ_EXAMPLES", "8"))
_COUNTS = {"cases": 0, "4xx": 0, "2xx": 0}


def _app():
    import tempfile
    from pathlib import Path

    d = Path(tempfile.mkdtemp(prefix="zkats-fuzz-"))
    venue = sim_venue(d / "venue", SimProver(seed=5))
    app = create_app(venue, max_body=256 * 1024)
    app.state.token = token(venue)
    return app


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_fuzz_no_server_errors(case, server_figures):
    headers = {"Authorization": f"Bearer {APP.state.token}"} if _COUNTS["cases"] % 2 else {}
    response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
    _COUNTS["cases"] += 1
    if 400 <= response.status_code < 500:
        _COUNTS["4xx"] += 1
        body = response.json()
        assert isinstance(body.get("error"), str) and "\n" not in body["error"]
    elif response.status_code < 300:
        _COUNTS["2xx"] += 1
    assert response.status_code < 500
    server_figures["schemathesis"] = dict(_COUNTS, fiveXX=0)
