"""The API's request schemas (for the OpenAPI document) and the strict
parsers of the operator endpoints' bodies.

The batch body is parsed by :func:`zkats.venue.batch.loads` (the same
strict reader as ``zkats settle``); the schema below documents its shape.
"""

from typing import Any

from ..errors import InputError
from ..venue.rules import RULES

_DEC = {"type": "string", "pattern": "^(0|[1-9][0-9]{0,76})$"}
_G1 = {"type": "array", "items": _DEC, "minItems": 3, "maxItems": 3}
_FQ2 = {"type": "array", "items": _DEC, "minItems": 2, "maxItems": 2}
_G2 = {"type": "array", "items": _FQ2, "minItems": 3, "maxItems": 3}
_PROOF = {
    "type": "object",
    "description": "snarkjs proof.json",
    "properties": {
        "pi_a": _G1,
        "pi_b": _G2,
        "pi_c": _G1,
        "protocol": {"type": "string", "enum": ["groth16"]},
        "curve": {"type": "string", "enum": ["bn128"]},
    },
    "required": ["pi_a", "pi_b", "pi_c", "protocol", "curve"],
}
_BUNDLE = {
    "type": "object",
    "properties": {"public": {"type": "array", "items": _DEC, "maxItems": 256}, "proof": _PROOF},
    "required": ["public", "proof"],
    "additionalProperties": False,
}
_ITEM = {
    "type": "object",
    "properties": {
        "kind": {
            "type": "string",
            "enum": sorted(RULES),
        },
        "proofs": {"type": "object", "additionalProperties": _BUNDLE},
        "netting": {
            "type": "object",
            "properties": {
                "R": {"type": "array", "items": _DEC, "minItems": 2, "maxItems": 2},
                "s": _DEC,
            },
            "required": ["R", "s"],
            "additionalProperties": False,
        },
    },
    "required": ["kind", "proofs"],
    "additionalProperties": False,
}
BATCH = {
    "type": "object",
    "description": "A settlement batch (the JSON `zkats settle` reads)",
    "properties": {
        "version": {"type": "integer", "enum": [1]},
        "items": {"type": "array", "items": _ITEM, "maxItems": 10000},
    },
    "required": ["version", "items"],
    "additionalProperties": False,
}
PUBLISH = {
    "type": "object",
    "properties": {
        "marks": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 1},
            "minProperties": 1,
        },
        "deadline_in": {"type": "integer", "minimum": 1, "maximum": 31536000},
        "index": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 1},
        },
        "underlying": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 1},
        },
    },
    "required": ["marks"],
    "additionalProperties": False,
}
ADVANCE = {
    "type": "object",
    "properties": {"seconds": {"type": "integer", "minimum": 1, "maximum": 31536000}},
    "required": ["seconds"],
    "additionalProperties": False,
}

_ERR = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": {"type": "string"}},
                "required": ["error"],
            }
        }
    }
}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "malformed request", **_ERR},
    401: {"description": "operator token required", **_ERR},
    403: {"description": "operator token rejected", **_ERR},
    404: {"description": "not found", **_ERR},
    409: {"description": "refused by the ledger's rules (nothing applied)", **_ERR},
    413: {"description": "request body too large", **_ERR},
    415: {"description": "request body is not JSON", **_ERR},
    503: {"description": "database unavailable (nothing applied)", **_ERR},
}


def body(schema, secured=False):
    out: dict[str, Any] = {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}
    }
    if secured:
        out["security"] = [{"operatorToken": []}]
    return out


def install_openapi(app):
    """Add the operator token's security scheme to the generated document."""
    make = app.openapi

    def openapi():
        if app.openapi_schema is None:
            doc = make()
            doc.setdefault("components", {}).setdefault("securitySchemes", {})["operatorToken"] = {
                "type": "http",
                "scheme": "bearer",
                "description": "the token in the venue directory's operator.token",
            }
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi


def _int(v, where, lo, hi):
    if not isinstance(v, int) or isinstance(v, bool):
        raise InputError(f"{where}: expected an integer")
    if not lo <= v <= hi:
        raise InputError(f"{where}: must be between {lo} and {hi}")
    return v


def _obj(d, where, required, optional=()):
    if not isinstance(d, dict):
        raise InputError(f"{where}: expected a JSON object")
    for k in required:
        if k not in d:
            raise InputError(f"{where}: missing {k!r}")
    extra = sorted(set(d) - set(required) - set(optional))
    if extra:
        raise InputError(f"{where}: unknown key {extra[0][:40]!r}")


def _prices(d, key):
    v = d[key]
    if not isinstance(v, dict) or (key == "marks" and not v):
        raise InputError(f"request body.{key}: expected an object {{SYMBOL: PRICE}}")
    out = {}
    for sym, price in v.items():
        if not isinstance(sym, str) or not 0 < len(sym) <= 40:
            raise InputError(f"request body.{key}: bad symbol")
        out[sym] = _int(price, f"request body.{key}.{sym}", 1, 2**62)
    return out


def parse_publish(d):
    """``{"marks": {SYMBOL: PRICE}, "deadline_in": SECONDS, "index": {SYMBOL:
    PRICE}, "underlying": {ASSET: PRICE}}`` -> (marks, deadline_in, index,
    underlying)."""
    _obj(d, "request body", ("marks",), ("deadline_in", "index", "underlying"))
    marks = _prices(d, "marks")
    index = _prices(d, "index") if "index" in d else {}
    underlying = _prices(d, "underlying") if "underlying" in d else {}
    deadline_in = _int(d.get("deadline_in", 3600), "request body.deadline_in", 1, 31536000)
    return marks, deadline_in, index, underlying


def parse_advance(d):
    _obj(d, "request body", ("seconds",))
    return _int(d["seconds"], "request body.seconds", 1, 31536000)
