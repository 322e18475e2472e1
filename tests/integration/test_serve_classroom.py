"""`rltui serve` for a classroom: sign-in on the page and the websocket, a folder per visitor
that no typed path leaves, at most N visitors, and a crashing visitor app that leaves the
server up. The server runs in-process (textual-serve's aiohttp application, with rltui's
middleware); the visitors' apps are a small stand-in speaking textual-serve's pipe protocol
(prelude, then D/M packets), so each test takes well under a second."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

aiohttp = pytest.importorskip("aiohttp")
pytest.importorskip("textual_serve")

from aiohttp import web  # noqa: E402

from rltui.commands.classroom import ClassroomServer, read_password_file  # noqa: E402

FAKE_APP = r"""
import json, os, sys
out = sys.stdout.buffer
def packet(kind, payload):
    out.write(kind + len(payload).to_bytes(4, "big") + payload); out.flush()
out.write(b"__GANGLION__\n"); out.flush()
folder = os.environ["RLTUI_SAVES"]
packet(b"D", json.dumps({"saves": folder, "cwd": os.getcwd(), "sandbox": os.environ.get("RLTUI_SANDBOX"),
                          "files": sorted(os.listdir(folder))}).encode())
stdin = sys.stdin.buffer
while True:
    head = stdin.read(5)
    if len(head) < 5:
        break
    body = stdin.read(int.from_bytes(head[1:], "big"))
    if head[:1] == b"M" and json.loads(body).get("type") == "quit":
        break
    if head[:1] == b"D":
        text = body.decode()
        if text == "crash":
            os._exit(3)
        if text.startswith("save "):
            open(text[5:], "w").write("x")
        packet(b"D", json.dumps({"files": sorted(os.listdir(folder))}).encode())
"""


@asynccontextmanager
async def serving(tmp_path: Path, **options: Any) -> AsyncIterator[tuple[str, ClassroomServer]]:
    script = tmp_path / "fake_app.py"
    script.write_text(FAKE_APP)
    root = tmp_path / "root"
    server = ClassroomServer(f"{sys.executable} {script}", root=root, host="127.0.0.1", port=0, **options)
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        await runner.cleanup()


def browser(**options: Any) -> Any:
    """A client that keeps cookies as a browser does, for an address by IP too."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), **options)


def run(test: Callable[[], Any]) -> None:
    asyncio.run(test())


async def first_screen(ws: Any) -> dict[str, Any]:
    message = await asyncio.wait_for(ws.receive(), 20)
    assert message.type == aiohttp.WSMsgType.BINARY, message
    return json.loads(message.data)


def test_no_token_wrong_token_and_the_right_one_on_the_page_and_the_websocket(tmp_path: Path) -> None:
    async def test() -> None:
        async with serving(tmp_path, token="s3cret-token") as (url, server), browser() as http:
            for path in ("/", "/ws"):
                async with http.get(url + path) as r:
                    assert r.status == 401 and "token" in await r.text()
                async with http.get(url + path + "?token=s3cret-tokem") as r:
                    assert r.status == 403 and "not this server's" in await r.text()
            assert not (tmp_path / "root").exists()  # no app process, no folder
            async with http.get(url + "/?token=s3cret-token") as r:
                assert r.status == 200 and "/ws" in await r.text()
                assert "rltui_visitor" in r.cookies
            async with http.ws_connect(url + "/ws") as ws:  # the page's cookie signs the websocket in
                screen = await first_screen(ws)
                assert screen["sandbox"] == "1" and Path(screen["saves"]).parent == tmp_path / "root" / "visitors"
            async with browser() as other, other.ws_connect(url + "/ws?token=s3cret-token") as ws:
                other_screen = await first_screen(ws)  # a token on the websocket itself: another visitor
                assert other_screen["sandbox"] == "1" and other_screen["saves"] != screen["saves"]
                assert other_screen["cwd"] == os.path.realpath(other_screen["saves"])

    run(test)


def test_a_forged_cookie_is_refused(tmp_path: Path) -> None:
    async def test() -> None:
        async with serving(tmp_path, token="t") as (url, _):
            async with browser(cookies={"rltui_visitor": "vabc.0123"}) as http:
                async with http.get(url + "/ws") as r:
                    assert r.status == 401

    run(test)


def test_two_visitors_cannot_see_each_others_saves(tmp_path: Path) -> None:
    async def test() -> None:
        async with serving(tmp_path, token="t") as (url, _):
            async with browser() as a, browser() as b:
                async with a.get(url + "/?token=t"), b.get(url + "/?token=t"):
                    pass
                async with a.ws_connect(url + "/ws") as ws_a:
                    first = await first_screen(ws_a)
                    await ws_a.send_json(["stdin", "save mine.safetensors"])
                    assert (await first_screen(ws_a))["files"] == ["mine.safetensors"]
                async with b.ws_connect(url + "/ws") as ws_b:
                    seen = await first_screen(ws_b)
                    assert seen["files"] == [] and seen["saves"] != first["saves"]
                async with a.ws_connect(url + "/ws") as ws_a:  # a reload: the same visitor, the same folder
                    again = await first_screen(ws_a)
                    assert again["saves"] == first["saves"] and again["files"] == ["mine.safetensors"]

    run(test)


def test_password_sign_in_gives_each_name_a_folder(tmp_path: Path) -> None:
    file = tmp_path / "class.txt"
    file.write_text("# the class\nada:lovelace\nalan:turing\n")
    users = read_password_file(file)

    def basic(name: str, password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}

    async def test() -> None:
        async with serving(tmp_path, users=users) as (url, _), browser() as http:
            async with http.get(url + "/") as r:
                assert r.status == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
            async with http.get(url + "/ws", headers=basic("ada", "turing")) as r:
                assert r.status == 401
            async with http.ws_connect(url + "/ws", headers=basic("ada", "lovelace")) as ws:
                assert Path((await first_screen(ws))["saves"]).name == "ada"

    run(test)


@pytest.mark.parametrize(
    ("text", "says"),
    [("nobody", "not name:password"), ("../x:pw", "not name:password"), ("", "names nobody")],
)
def test_a_bad_password_file_is_one_sentence(tmp_path: Path, text: str, says: str) -> None:
    from rltui.commands.classroom import PasswordFileError

    file = tmp_path / "p.txt"
    file.write_text(text)
    with pytest.raises(PasswordFileError, match=says):
        read_password_file(file)


def test_beyond_max_visitors_the_page_says_full_try_later(tmp_path: Path) -> None:
    async def test() -> None:
        async with serving(tmp_path, token="t", max_visitors=1) as (url, server), browser() as http:
            async with http.ws_connect(url + "/ws?token=t") as ws:
                await first_screen(ws)
                async with browser() as late:
                    async with late.get(url + "/?token=t") as r:
                        assert r.status == 503 and "try again" in await r.text()
                    async with late.get(url + "/ws?token=t") as r:
                        assert r.status == 503
            while server.visitors:  # the app's process is ended once its websocket closes
                await asyncio.sleep(0.02)
            async with browser() as late, late.get(url + "/?token=t") as r:
                assert r.status == 200

    run(test)


def test_a_crashing_visitor_app_leaves_the_server_up(tmp_path: Path) -> None:
    async def test() -> None:
        async with serving(tmp_path, token="t") as (url, server), browser() as http:
            async with http.ws_connect(url + "/ws?token=t") as ws:
                await first_screen(ws)
                await ws.send_json(["stdin", "crash"])
                closing = await asyncio.wait_for(ws.receive(), 20)
                assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            async with http.ws_connect(url + "/ws?token=t") as ws:  # the next visitor is served
                assert (await first_screen(ws))["sandbox"] == "1"
            async with http.get(url + "/?token=t") as r:
                assert r.status == 200

    run(test)


# --- the sandbox, at its root (rltui/paths.py) -----------------------------------------


@pytest.fixture
def visitor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    mine = tmp_path / "visitors" / "a"
    mine.mkdir(parents=True)
    (tmp_path / "visitors" / "b").mkdir()
    (tmp_path / "visitors" / "b" / "theirs.safetensors").write_bytes(b"x")
    monkeypatch.setenv("RLTUI_SAVES", str(mine))
    monkeypatch.setenv("RLTUI_SANDBOX", "1")
    monkeypatch.chdir(mine)
    return mine


@pytest.mark.parametrize(
    "typed",
    ["../b/theirs.safetensors", "/etc/passwd", "~/x.safetensors", "sub/../../b/theirs.safetensors", "link/x"],
)
def test_a_typed_path_outside_the_visitors_folder_is_refused_in_one_sentence(visitor: Path, typed: str) -> None:
    from agents.persistence import SaveError, read_metadata
    from rltui.formats import episodes
    from rltui.formats.saves import save_place
    from rltui.paths import PathError, file_to_write

    (visitor / "link").symlink_to(visitor.parent / "b")  # planted in their own folder
    for attempt in (
        lambda: save_place(typed),
        lambda: read_metadata(typed),
        lambda: episodes.read(typed),
        lambda: file_to_write(typed, "The save"),
    ):
        with pytest.raises((SaveError, PathError, episodes.EpisodeFileError)) as caught:
            attempt()
        message = str(caught.value)
        assert "on this shared server only your own folder" in message and message.count(". ") == 0


def test_a_map_path_outside_is_refused_and_the_shipped_ones_are_read(visitor: Path) -> None:
    from rltui.envs.catalog import CatalogError
    from rltui.envs.catalog.maps import find_map
    from rltui.paths import SHIPPED_DIR, confined

    with pytest.raises(CatalogError, match="shared server"):
        find_map("/etc/hostname")
    confined(SHIPPED_DIR / "any.safetensors", "The save")  # read: allowed
    with pytest.raises(ValueError, match="only your own folder can be written"):
        confined(SHIPPED_DIR / "any.safetensors", "The save", write=True)


def test_inside_the_visitors_folder_saving_works(visitor: Path) -> None:
    from rltui.formats.saves import save_place

    assert save_place("mine") == (Path("mine.safetensors"), False)
    assert save_place("sub/deeper/mine.safetensors")[0] == Path("sub/deeper/mine.safetensors")


def test_off_the_sandbox_nothing_is_confined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rltui.paths import confined

    monkeypatch.delenv("RLTUI_SANDBOX", raising=False)
    confined("/etc/passwd", "The save")
    assert os.environ.get("RLTUI_SANDBOX") is None
