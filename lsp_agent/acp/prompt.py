"""A `session/prompt`'s content blocks as the engine takes them: the text, and the images that
go before it in the user's message.

Text goes as written; a resource link (a file the user mentioned) as an `@path` mention the
model reads with its tools, confined like any read; an embedded text resource (`embeddedContext`)
as its text in a `<context>` tag; an image, or an embedded blob that is an image, as an
Anthropic image block. What the agent cannot take (audio, an image of a type or size the API
refuses, data that is not base64) is refused with invalid params, so the user's prompt is never
silently cut.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from acp import RequestError, schema

# What the Messages API takes as an image, and its per-image limit (decoded bytes).
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_IMAGE_BYTES = 5 * 1024 * 1024

PromptBlock = (
    schema.TextContentBlock
    | schema.ImageContentBlock
    | schema.AudioContentBlock
    | schema.ResourceContentBlock
    | schema.EmbeddedResourceContentBlock
)


@dataclass
class Prompt:
    text: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)


def convert(blocks: list[PromptBlock]) -> Prompt:
    prompt = Prompt()
    parts: list[str] = []
    for index, block in enumerate(blocks):
        if isinstance(block, schema.TextContentBlock):
            parts.append(block.text)
        elif isinstance(block, schema.ResourceContentBlock):
            parts.append(mention(block.uri))
        elif isinstance(block, schema.ImageContentBlock):
            prompt.images.append(image(index, block.mime_type, block.data))
        elif isinstance(block, schema.EmbeddedResourceContentBlock):
            resource = block.resource
            if isinstance(resource, schema.TextResourceContents):
                ref = path_of(resource.uri)
                parts.append(f'\n<context ref="{ref}">\n{resource.text}\n</context>\n')
            elif (resource.mime_type or "").startswith("image/"):
                prompt.images.append(image(index, resource.mime_type or "", resource.blob))
            else:  # a binary file: the model can look at it through its tools
                parts.append(mention(resource.uri))
        else:
            raise RequestError.invalid_params(
                {"prompt": f"block {index}: {block.type} content is not supported"}
            )
    prompt.text = "".join(parts)
    return prompt


def image(index: int, mime_type: str, data: str) -> dict[str, Any]:
    """An Anthropic image block, or invalid params saying why the API would refuse it."""
    if mime_type not in IMAGE_TYPES:
        allowed = ", ".join(sorted(IMAGE_TYPES))
        raise RequestError.invalid_params(
            {"prompt": f"block {index}: image type {mime_type!r} is not one of {allowed}"}
        )
    try:
        size = len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        raise RequestError.invalid_params(
            {"prompt": f"block {index}: the image data is not base64"}
        ) from None
    if size > MAX_IMAGE_BYTES:
        raise RequestError.invalid_params(
            {"prompt": f"block {index}: the image is {size} bytes, over the API's 5 MB"}
        )
    source = {"type": "base64", "media_type": mime_type, "data": data}
    return {"type": "image", "source": source}


def mention(uri: str) -> str:
    """A file as an `@path` mention; any other URI as written."""
    if urlparse(uri).scheme == "file" or uri.startswith("/"):
        return f"@{path_of(uri)}"
    return uri


def path_of(uri: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return uri
