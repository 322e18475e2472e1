from __future__ import annotations

import os

# pygame must not look for a display or a sound card in tests.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _saves_never_in_the_home_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that saves without choosing a folder writes to a temporary one, never to the
    per-user data folder of whoever runs the tests (tests may still set their own)."""
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path_factory.mktemp("saves")))
    # What `rltui serve` sets for its visitors' apps (exercises off, a sandbox) never leaks
    # from a test that starts a server in this process into the next test.
    monkeypatch.delenv("RLTUI_EXERCISES", raising=False)
    monkeypatch.delenv("RLTUI_SANDBOX", raising=False)


LAYERS = ("unit", "integration", "ui")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with its layer, the folder it lives in (``-m unit`` is the fast
    edit-test loop; see CONTRIBUTING.md)."""
    for item in items:
        layer = item.path.parent.name
        if layer in LAYERS:
            item.add_marker(getattr(pytest.mark, layer))
