"""`rltui serve`: the app in a real headless browser (Chromium), and its bad input."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rltui.cli import main

SCREENSHOT = os.environ.get("RLTUI_SCREENSHOT")
"""Where to keep the launcher's screenshot (the README's), if set."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, *extra: str, saves: Path) -> subprocess.Popen:
    env = {**os.environ, "RLTUI_SAVES": str(saves)}
    return subprocess.Popen(
        [sys.executable, "-m", "rltui", "serve", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _highlight_top(png: bytes) -> int | None:
    """The top pixel row of the launcher's highlighted line (a wide blue bar), or None."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    for y in range(height):
        blue = sum(1 for x in range(0, width, 4) if (lambda p: p[2] > 70 and p[2] > p[0] + 40)(pixels[x, y]))
        if blue > width // 8:
            return y
    return None


def test_the_launcher_opens_in_a_browser_and_answers_a_key(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    pytest.importorskip("PIL")
    webdriver = pytest.importorskip("selenium.webdriver")
    chromium, driver = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("needs Chromium and ChromeDriver (Debian: apt install chromium chromium-driver)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    port = _free_port()
    server = _serve(port, saves=tmp_path)
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,860"):
        options.add_argument(arg)
    options.binary_location = chromium
    browser = webdriver.Chrome(options=options, service=Service(driver))
    try:
        deadline = time.monotonic() + 60
        while True:  # the page, its websocket, a fresh rltui process, its first frame
            try:
                browser.get(f"http://127.0.0.1:{port}")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        top = None
        while top is None and time.monotonic() < deadline:
            time.sleep(0.5)
            top = _highlight_top(browser.get_screenshot_as_png())
        assert top is not None, "the launcher never showed its list"
        if SCREENSHOT:
            Path(SCREENSHOT).write_bytes(browser.get_screenshot_as_png())
        browser.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
        ActionChains(browser).send_keys(Keys.ARROW_DOWN).perform()
        moved = top
        while moved == top and time.monotonic() < deadline:
            time.sleep(0.3)
            moved = _highlight_top(browser.get_screenshot_as_png())
        assert moved is not None and moved > top  # the highlight went down a line: the app heard the key
    finally:
        browser.quit()
        server.terminate()
        server.communicate(timeout=20)


def test_bad_serve_requests_say_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("textual_serve")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
        assert capsys.readouterr().err.strip() == f"rltui: 127.0.0.1:{port} is in use; choose another with --port."
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port must be from 1 to 65535" in capsys.readouterr().err


def test_serving_beyond_this_machine_without_sign_in_is_refused_in_one_sentence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("textual_serve")
    assert main(["serve", "--host", "0.0.0.0", "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rltui: Serving on 0.0.0.0 lets anyone") and "--token" in err and err.count("\n") == 0


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("a" * 64 + ".lan", "labels of 1 to 63"),
        ("a..b", "labels of 1 to 63"),
        ("-a.lan", "labels of 1 to 63"),
        (".".join(["abc"] * 70), "labels of 1 to 63"),
        ("é.com", "xn-- form"),
        ("caf\u00e9\u200b", "xn-- form"),
        ("x\x01", "'x\\x01'"),
        ("   ", "needs an address"),
    ],
)
def test_a_host_that_is_no_address_is_one_sentence_before_anything_starts(
    host: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", f"--host={host}", "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and err.count("\n") == 0 and "Traceback" not in err and "warning" not in err


@pytest.mark.parametrize(
    ("host", "as_given"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("localhost", "localhost"),
        ("my-host.example.", "my-host.example."),
        ("xn--caf-dma.lan", "xn--caf-dma.lan"),
    ],
)
def test_addresses_and_names_pass_the_host_check(host: str, as_given: str) -> None:
    from rltui.commands.serve import check_host

    assert check_host(host) == as_given
