"""A tool call's input checked against the tool's JSON schema before anything runs, so a model's
malformed call gets one clear error naming the field (as Claude Code's InputValidationError
does) instead of whatever the tool would trip over. The subset of JSON Schema the tools use:
type, required, properties, additionalProperties, enum, minimum, minLength, minItems, maxItems.

Only the top level is checked: inside lists and objects the tools check (and forgive) for
themselves, as Claude Code does for what real models send (TodoWrite items without
`activeForm`, from models trained before it existed: the conformance suite has them)."""

from __future__ import annotations

from typing import Any

TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def problem(schema: dict[str, Any], value: Any, where: str = "") -> str:
    """What is wrong with `value` under `schema` ("" when nothing is)."""
    name = where or "the input"
    expected = schema.get("type")
    if expected is not None and not _is_type(value, expected):
        return f"`{name}` must be {_names(expected)}, got {_kind(value)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"`{name}` must be one of {', '.join(map(str, schema['enum']))}, got {value!r}"
    if _is_type(value, "number") and value < schema.get("minimum", value):
        return f"`{name}` must be at least {schema['minimum']}, got {value!r}"
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        return (
            f"`{name}` must not be empty" if schema["minLength"] == 1 else f"`{name}` is too short"
        )
    if isinstance(value, list):
        return _array(schema, value, name)
    if isinstance(value, dict) and not where:
        return _object(schema, value)
    return ""


def _object(schema: dict[str, Any], value: dict[str, Any]) -> str:
    properties = schema.get("properties", {})
    for key in schema.get("required", []):
        if value.get(key) is None:
            return f"the required parameter `{key}` is missing"
    for key, item in value.items():
        if key in properties:
            if item is None:  # an explicit null is taken as "not given"
                continue
            found = problem(properties[key], item, key)
            if found:
                return found
        elif schema.get("additionalProperties") is False:
            return f"an unexpected parameter `{key}` was given"
    return ""


def _array(schema: dict[str, Any], value: list[Any], name: str) -> str:
    if len(value) < schema.get("minItems", 0):
        return f"`{name}` needs at least {schema['minItems']} item(s)"
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        return f"`{name}` takes at most {schema['maxItems']} item(s)"
    return ""


def _is_type(value: Any, expected: str | list[str]) -> bool:
    names = expected if isinstance(expected, list) else [expected]
    for type_name in names:
        kinds = TYPES.get(type_name, (object,))
        # bool is an int subclass: true is no number
        if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds):
            return True
    return False


def _names(expected: str | list[str]) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(f"an {n}" if n[0] in "aeiou" else f"a {n}" for n in names)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )
