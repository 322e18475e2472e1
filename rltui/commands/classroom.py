"""``rltui serve`` for a classroom: textual-serve's aiohttp application with sign-in, a folder
of their own for each visitor, and limits (how many visitors, how long idle, how much memory).

Built on :class:`textual_serve.server.Server` (a subclass: its routes and its page are
textual-serve's own), with an aiohttp middleware in front of every route but ``/static``:

* sign-in: a token (``?token=...`` on the page, compared with :func:`hmac.compare_digest`) or a
  name and password from a password file (HTTP basic sign-in); either gives a signed cookie
  that names the visitor, checked on the page, on the websocket and on downloads. Without it
  the answer is a 401 (none given) or 403 (a wrong one) page and no app process is started.
* a sandbox: each visitor's app runs with ``RLTUI_SAVES`` at ``<root>/visitors/<visitor>/``,
  its working folder there, and ``RLTUI_SANDBOX=1`` (:func:`rltui.paths.confined` then
  refuses every path that leads elsewhere).
* limits: at most ``max_visitors`` apps at once (a "full, try later" page beyond), an app
  closed after ``idle_minutes`` without a key or a click, ``RLIMIT_AS`` in each app process, and
  an app that crashes ends its own websocket only.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import logging
import os
import re
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("textual-serve")

COOKIE = "rltui_visitor"
VISITOR = web.RequestKey("visitor", str)
IDLE_WATCH = web.AppKey("idle_watch", asyncio.Task)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
"""A sign-in name, as a folder's name: letters, digits, ``_ . -``, at most 40, no leading dot."""


class PasswordFileError(ValueError):
    """A password file that cannot be used; the message is one sentence."""


def read_password_file(path: Path) -> dict[str, str]:
    """``name:password`` per line (``#`` comments and blank lines skipped), names as
    :data:`NAME` allows.

    Raises:
        PasswordFileError: unreadable, empty or a bad line, in one sentence.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise PasswordFileError(
            f"--password-file {path} cannot be read ({getattr(exc, 'strerror', None) or exc})."
        ) from None
    users: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, password = line.partition(":")
        if not sep or not NAME.fullmatch(name) or not password:
            raise PasswordFileError(
                f"--password-file {path}, line {number}, is not name:password (a name of letters, "
                "digits, _ . -, up to 40, and a password that is not empty)."
            )
        users[name] = password
    if not users:
        raise PasswordFileError(f"--password-file {path} names nobody: write one name:password a line.")
    return users


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>rltui</title>
<style>body{{font-family:sans-serif;max-width:36em;margin:4em auto;line-height:1.5}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>"""


def page(status: int, title: str, text: str, headers: dict[str, str] | None = None) -> web.Response:
    body = PAGE.format(title=html.escape(title, quote=False), text=html.escape(text, quote=False))
    return web.Response(status=status, text=body, content_type="text/html", headers=headers)


class VisitorApp(AppService):
    """One visitor's app process: their folder, the sandbox, a memory ceiling; closes the
    visitor's websocket when the process ends (a crash included)."""

    def __init__(self, *args: Any, folder: Path, memory_mb: int, spawn: Spawner | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder = folder
        self.memory_mb = memory_mb
        self.spawn = spawn
        self.last_input = time.monotonic()
        self.started = time.monotonic()
        self._stopper: asyncio.Future[None] | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.update(visitor_environment(self.folder))
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        environment = self._build_environment(width=width, height=height)
        if self.spawn is not None:
            process = await self.spawn(environment, self.folder, self.memory_mb)
        else:
            process = await asyncio.create_subprocess_exec(
                *self.command_args(),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment,
                cwd=self.folder,
                preexec_fn=lambda: limit_memory(self.memory_mb),
                start_new_session=True,
            )
        self._process = process
        self._stdin = process.stdin
        return process

    def command_args(self) -> list[str]:
        import shlex

        return shlex.split(self.command)

    async def run(self) -> None:
        try:
            await super().run()
        finally:  # the app ended (quit, crashed, killed): its visitor's page says so
            try:
                await self.remote_close()
            except Exception:  # a websocket already gone
                pass

    async def send_bytes(self, data: bytes) -> bool:
        self.last_input = time.monotonic()
        return await super().send_bytes(data)

    async def stop(self) -> None:
        """Once, however many ask at once (the websocket's end and the server's shutdown)."""
        if self._stopper is None:
            self._stopper = asyncio.ensure_future(self._stop_once())
        await self._stopper

    async def _stop_once(self) -> None:
        process = self._process
        await super().stop()
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:  # quit was not heeded
                try:
                    process.kill()
                except ProcessLookupError:
                    pass
                await process.wait()


def visitor_environment(folder: Path) -> dict[str, str]:
    """What a visitor's app process gets besides textual-serve's: their folder and the sandbox."""
    from rltui.paths import SANDBOX_ENV, SAVES_DIR_ENV

    return {SAVES_DIR_ENV: str(folder), SANDBOX_ENV: "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def limit_memory(memory_mb: int) -> None:
    """In the child, before the app starts: at most ``memory_mb`` MiB of address space."""
    if memory_mb > 0:
        import resource

        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


Spawner = Callable[[dict[str, str], Path, int], Awaitable[Any]]


class ClassroomServer(Server):
    """textual-serve's server with sign-in, a folder per visitor and limits (see the module)."""

    def __init__(
        self,
        command: str,
        *,
        root: Path,
        token: str | None = None,
        users: dict[str, str] | None = None,
        max_visitors: int = 0,
        idle_minutes: float = 0.0,
        memory_mb: int = 0,
        spawn: Spawner | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(command, **kwargs)
        self.root = root
        self.token = token
        self.users = users
        self.max_visitors = max_visitors
        self.idle_seconds = idle_minutes * 60
        self.memory_mb = memory_mb
        self.spawn = spawn
        self.key = secrets.token_bytes(32)
        self.visitors: set[VisitorApp] = set()
        self.crashes = 0

    # --- sign-in -----------------------------------------------------------------

    def _sign(self, visitor: str) -> str:
        mac = hmac.new(self.key, visitor.encode(), hashlib.sha256).hexdigest()
        return f"{visitor}.{mac}"

    def _cookie_visitor(self, request: web.Request) -> str | None:
        value = request.cookies.get(COOKIE, "")
        visitor, _, _ = value.rpartition(".")
        if visitor and NAME.fullmatch(visitor) and hmac.compare_digest(self._sign(visitor), value):
            return visitor
        return None

    def _credential_visitor(self, request: web.Request) -> tuple[str | None, bool]:
        """(the visitor the request signs in as, or None; whether a credential was given)."""
        if self.token is not None:
            given = request.query.get("token")
            if given is None:
                return None, False
            if hmac.compare_digest(given.encode(), self.token.encode()):
                return self._cookie_visitor(request) or "v" + secrets.token_hex(8), True
            return None, True
        if self.users is not None:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return None, False
            try:
                name, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
            except (ValueError, UnicodeError):
                return None, True
            expected = self.users.get(name, "")
            ok = hmac.compare_digest(password.encode(), expected.encode()) and name in self.users
            return (name if ok else None), True
        return "local", True  # no sign-in (this machine only): one folder

    @web.middleware
    async def middleware(self, request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
        if request.path.startswith("/static/"):
            return await handler(request)
        visitor = self._cookie_visitor(request)
        fresh = None
        if visitor is None or "token" in request.query or "Authorization" in request.headers:
            signed, given = self._credential_visitor(request)
            if signed is None:
                return self._refuse(given)
            if signed != visitor:
                visitor = fresh = signed
        request[VISITOR] = visitor
        if request.path in ("/", "/ws") and self.full():
            return page(
                503,
                "Full, try later",
                f"This rltui server has room for {self.max_visitors} visitors and all are here; "
                "try again in a few minutes.",
                headers={"Retry-After": "60"},
            )
        response = await handler(request)
        if fresh is not None and isinstance(response, web.Response):
            response.set_cookie(COOKIE, self._sign(fresh), httponly=True, samesite="Strict")
        return response

    def _refuse(self, given: bool) -> web.Response:
        if self.users is not None:
            headers = {"WWW-Authenticate": 'Basic realm="rltui", charset="UTF-8"'}
            return page(401, "Sign in", "Sign in with the name and password your teacher gave you.", headers)
        if given:
            return page(403, "Wrong token", "This address's token is not this server's: open the address as given.")
        return page(401, "Sign in", "Open the address your teacher gave you: it holds a token.")

    def full(self) -> bool:
        return self.max_visitors > 0 and len(self.visitors) >= self.max_visitors

    # --- the application -----------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.middleware)
        return app

    async def on_startup(self, app: web.Application) -> None:
        if self.idle_seconds > 0:
            app[IDLE_WATCH] = asyncio.create_task(self._watch_idle())

    async def on_shutdown(self, app: web.Application) -> None:
        for visitor in list(self.visitors):
            await visitor.stop()

    async def _watch_idle(self) -> None:
        while True:
            await asyncio.sleep(min(30.0, self.idle_seconds / 4))
            now = time.monotonic()
            for visitor in list(self.visitors):
                if now - visitor.last_input > self.idle_seconds:
                    log.info("closing an idle visitor's app (%s)", visitor.folder.name)
                    asyncio.create_task(visitor.stop())

    def folder_of(self, visitor: str) -> Path:
        folder = self.root / "visitors" / visitor
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        from textual_serve.server import to_int

        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        service: VisitorApp | None = None
        try:
            await websocket.prepare(request)
            service = VisitorApp(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
                folder=self.folder_of(request[VISITOR]),
                memory_mb=self.memory_mb,
                spawn=self.spawn,
            )
            self.visitors.add(service)
            await service.start(width, height)
            try:
                await self._process_messages(websocket, service)
            finally:
                await service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one visitor's trouble, never the server's
            log.exception(error)
        finally:
            if service is not None:
                self.visitors.discard(service)
                process = service._process
                if process is not None and process.returncode not in (None, 0):
                    self.crashes += 1
                await service.stop()
        return websocket


def new_token() -> str:
    return secrets.token_urlsafe(24)


def command_args() -> list[str]:
    return [sys.executable, "-m", "rltui"]


def environ_root() -> Path:
    return Path(os.environ.get("RLTUI_SERVE_ROOT", ".")).resolve()
