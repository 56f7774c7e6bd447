"""Session config options: the model, for clients that show a model picker
(`session/set_config_option`). Any model id the API takes is accepted; the list offers the
configured model and the current Claude models."""

from __future__ import annotations

from acp import RequestError, schema

MODELS = {
    "claude-opus-5": "Claude Opus 5",
    "claude-sonnet-5": "Claude Sonnet 5",
    "claude-fable-5": "Claude Fable 5",
    "claude-haiku-4-5": "Claude Haiku 4.5",
}


def options(model: str) -> list[schema.SessionConfigOptionSelect]:
    choices = {model: MODELS.get(model, model), **MODELS}
    select = schema.SessionConfigOptionSelect(
        type="select",
        id="model",
        name="Model",
        category="model",
        current_value=model,
        options=[schema.SessionConfigSelectOption(value=v, name=n) for v, n in choices.items()],
    )
    return [select]


def model_choice(config_id: str, value: object) -> str:
    """The model a set_config_option request chooses; invalid params otherwise."""
    if config_id != "model":
        raise RequestError.invalid_params({"configId": f"unknown option {config_id!r}"})
    if not isinstance(value, str) or not value.strip():
        raise RequestError.invalid_params({"value": "a model id"})
    return value.strip()
