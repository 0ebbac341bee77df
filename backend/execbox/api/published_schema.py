"""The OpenAPI document with the bounds this server enforces, taken from the settings that
enforce them: a generated client learns the largest limits, the longest stdin and code, so that
what the schema allows the server accepts, and the two cannot drift apart."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import FastAPI

from execbox.settings import Settings


def publish_bounds(app: FastAPI, settings: Settings) -> None:
    """Make `app.openapi()` answer FastAPI's document with `settings`' bounds, built once."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _bound(document["components"]["schemas"], settings)
            _parameters_absent_not_null(document["paths"])
        assert app.openapi_schema is not None  # `generate` keeps what it built
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def _bound(schemas: dict[str, Any], settings: Settings) -> None:
    limits = schemas["LimitsIn"]["properties"]
    for name, ceiling in dataclasses.asdict(settings.limit_policy.maximum).items():
        _choices(limits[name])["maximum"] = ceiling
    request = schemas["ExecuteRequest"]["properties"]
    request["stdin"]["maxLength"] = settings.MAX_STDIN_LENGTH
    if settings.CODE_POLICY == "on":  # the policy is what bounds the code
        request["code"]["maxLength"] = settings.MAX_CODE_LENGTH


def _parameters_absent_not_null(paths: dict[str, Any]) -> None:
    """An optional header or query parameter is left out, never null: a client (or a fuzzer)
    told it may be null sends the text "null", which no parameter here accepts."""
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if any(choice.get("type") == "null" for choice in schema.get("anyOf", [])):
                    annotations = {key: value for key, value in schema.items() if key != "anyOf"}
                    parameter["schema"] = {**_choices(schema), **annotations}


def _choices(field: dict[str, Any]) -> dict[str, Any]:
    """The non-null alternative of an optional field's schema, where its bounds live."""
    choices: list[dict[str, Any]] = field.get("anyOf", [])
    for choice in choices:
        if choice.get("type") != "null":
            return choice
    return field
