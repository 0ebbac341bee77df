"""The OpenAPI document as published: FastAPI's, with the bounds this server enforces, taken from
the settings that enforce them (a generated client learns the largest limits, the longest stdin
and code, so that what the schema allows the server accepts, and the two cannot drift apart),
and with the live stream's messages, which OpenAPI has no operation for, as components."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from execbox.schemas.stream import ClientMessage, ServerMessage
from execbox.settings import Settings

# The stream's messages, each direction as one discriminated union (by `type`).
_STREAM_MESSAGES: tuple[tuple[str, Any, JsonSchemaMode], ...] = (
    ("StreamClientMessage", ClientMessage, "validation"),
    ("StreamServerMessage", ServerMessage, "serialization"),
)


def publish_bounds(app: FastAPI, settings: Settings) -> None:
    """Make `app.openapi()` answer FastAPI's document with `settings`' bounds, built once."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _publish_stream_messages(document["components"]["schemas"])
            _bound(document["components"]["schemas"], settings)
            _parameters_absent_not_null(document["paths"])
        assert app.openapi_schema is not None  # `generate` keeps what it built
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def _bound(schemas: dict[str, Any], settings: Settings) -> None:
    limits = schemas["LimitsIn"]["properties"]
    for name, ceiling in dataclasses.asdict(settings.limit_policy.maximum).items():
        _choices(limits[name])["maximum"] = ceiling
    for run in ("ExecuteRequest", "SubmitRequest", "RunMessage"):
        request = schemas[run]["properties"]
        request["stdin"]["maxLength"] = settings.MAX_STDIN_LENGTH
        _choices(request["files"])["maxItems"] = settings.MAX_INPUT_FILES
        if settings.CODE_POLICY == "on":  # the policy is what bounds the code
            request["code"]["maxLength"] = settings.MAX_CODE_LENGTH


def _publish_stream_messages(schemas: dict[str, Any]) -> None:
    for name, union, mode in _STREAM_MESSAGES:
        schema = TypeAdapter(union).json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for model, definition in schema.pop("$defs", {}).items():
            # A model the HTTP operations use is FastAPI's already (the same class, rendered
            # with FastAPI's small differences of form); only a name two classes share clashes.
            for field in definition.get("properties", {}).values():
                if field.get("default", ...) is None:  # as FastAPI publishes them: absent is null
                    del field["default"]
            known = schemas.setdefault(model, definition)
            if set(known.get("properties", {})) != set(definition.get("properties", {})):
                raise RuntimeError(f"two different schemas are named {model}: rename one")
        schemas[name] = schema


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
