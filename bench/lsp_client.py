"""A pytest-lsp client with only the handlers a benchmark cannot do without.

pytest-lsp's default client claims `$/progress`, the log and more for itself; benchmarks that
time those notifications register their own handlers on this one instead.

`raw`: methods whose results stay parsed JSON, as an editor reads them. Turning 100
`SymbolInformation`s into lsprotocol objects (cattrs) costs this Python client about 2 ms, which
no editor pays and which a latency benchmark would otherwise count as the server's.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.protocol import LanguageClientProtocol


def bare_client(raw: Collection[str] = ()) -> LanguageClient:
    raw = frozenset(raw)

    class Protocol(LanguageClientProtocol):
        def get_result_type(self, method: str) -> Any:
            return None if method in raw else super().get_result_type(method)

    client = LanguageClient(converter_factory=default_converter, protocol_cls=Protocol)

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(params: types.ConfigurationParams) -> list[Any]:
        return [None for _ in params.items]

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create_progress(params: types.WorkDoneProgressCreateParams) -> None:
        return None

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        return None

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def show_message(params: types.ShowMessageParams) -> None:
        return None

    return client


async def initialize(client: LanguageClient, root: Path, options: dict[str, Any]) -> None:
    """Initialize as VS Code would, with `root` as the one workspace folder."""
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(root.as_uri(), root.name)],
            initialization_options=options,
        )
    )
