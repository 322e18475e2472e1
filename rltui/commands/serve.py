"""``rltui serve``: the app in a web browser, through textual-serve (each visitor gets an app
of their own, in a process of its own)."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from typing import Any

from rltui.commands.common import UsageError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the app to web browsers (textual-serve)",
        description="Serve the full app over HTTP: every browser tab that opens the "
        "page gets its own app. Binds to this machine only unless --host says otherwise; "
        "off this machine it needs sign-in (--token or --password-file), and then each visitor gets "
        "a folder of their own that no path they type can leave.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--allow-exercises",
        action="store_true",
        help="let visitors' apps run exercise files (--exercise runs a learner's Python in the app's "
        "process: off unless given)",
    )
    signin = p.add_mutually_exclusive_group()
    signin.add_argument(
        "--token",
        action="store_true",
        help="sign-in by a random token, printed in the address to hand out (needed off this machine, "
        "unless --password-file)",
    )
    signin.add_argument(
        "--password-file",
        metavar="FILE",
        default=None,
        help="sign-in by name and password, one name:password a line; each name gets its own folder",
    )
    p.add_argument(
        "--root",
        metavar="DIR",
        default=None,
        help="with sign-in: where visitors' folders are kept (DIR/visitors/NAME; default: the saves "
        "folder's classroom/)",
    )
    p.add_argument(
        "--max-visitors", type=int, default=0, metavar="N", help="at most N apps at once (default: no limit)"
    )
    p.add_argument(
        "--idle-minutes",
        type=float,
        default=0.0,
        metavar="M",
        help="end a visitor's app after M minutes idle (default: never)",
    )
    p.add_argument(
        "--memory-mb",
        type=int,
        default=4096,
        metavar="MB",
        help="with sign-in: each visitor's app may map at most MB MiB (RLIMIT_AS; default 4096, 0 for none)",
    )


def command_line() -> str:
    """What each visitor's app runs: this rltui, on this Python."""
    return f"{shlex.quote(sys.executable)} -m rltui"


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port must be from 1 to 65535, not {args.port}.")
    host = check_host(args.host)
    try:
        from textual_serve.server import Server
    except ImportError:
        from rltui.extras import missing

        raise UsageError(missing("rltui serve", "serve")) from None
    if args.max_visitors < 0 or args.idle_minutes < 0 or args.memory_mb < 0:
        raise UsageError("--max-visitors, --idle-minutes and --memory-mb must not be negative.")
    if 0 < args.memory_mb < 512:
        raise UsageError(f"--memory-mb {args.memory_mb} is too little for the app (it needs about 512 MiB or more).")
    if host not in LOCAL_HOSTS and not (args.token or args.password_file):
        raise UsageError(
            f"Serving on {host} lets anyone who can reach it in: give --token (a random token in the "
            "address) or --password-file FILE (name:password lines)."
        )
    if not args.allow_exercises:
        from agents.exercises.live import turn_off_for_children

        turn_off_for_children()  # visitors' apps inherit it: --exercise is refused there
        print("Exercises are off in visitors' apps (--allow-exercises turns them on).", flush=True)
    if not (args.token or args.password_file):
        _check_free(host, args.port)
        print(f"Serving rltui at http://{host}:{args.port} (ctrl+c stops).", flush=True)
        Server(command_line(), host=host, port=args.port, title="rltui").serve()
        return 0
    return _serve_classroom(args, host)


def _serve_classroom(args: argparse.Namespace, host: str) -> int:
    """Sign-in, a folder per visitor and limits (rltui/commands/classroom.py)."""
    from pathlib import Path

    from rltui.commands import classroom
    from rltui.paths import PathError, folder_to_write, saves_dir

    users = None
    if args.password_file:
        try:
            users = classroom.read_password_file(Path(args.password_file))
        except classroom.PasswordFileError as exc:
            raise UsageError(str(exc)) from None
    try:
        root = folder_to_write(args.root, "--root") if args.root else saves_dir() / "classroom"
    except PathError as exc:
        raise UsageError(str(exc)) from None
    token = classroom.new_token() if args.token else None
    _check_free(host, args.port)
    server = classroom.ClassroomServer(
        command_line(),
        root=Path(os.path.abspath(root)),
        token=token,
        users=users,
        max_visitors=args.max_visitors,
        idle_minutes=args.idle_minutes,
        memory_mb=args.memory_mb,
        host=host,
        port=args.port,
        title="rltui",
    )
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"Serving rltui at {address} (ctrl+c stops); visitors' folders in {root}/visitors.", flush=True)
    server.serve()
    return 0


_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def check_host(given: str) -> str:
    """``--host`` as an address to listen on: an IP address, or a host name made of dot-separated
    ASCII labels (letters, digits and inner hyphens, 1 to 63 each, 253 in all), else one sentence."""
    import ipaddress

    host = given.strip()
    if not host:
        raise UsageError("--host needs an address, such as 127.0.0.1.")
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    shown = repr(host) if not host.isprintable() else host
    if not host.isascii():
        raise UsageError(
            f"--host {shown} is not an address: give an IP address or an ASCII host "
            "name (an international name in its xn-- form)."
        )
    name = host[:-1] if host.endswith(".") else host
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        raise UsageError(
            f"--host {shown[:80]}{'…' if len(shown) > 80 else ''} is not an address: a host "
            "name is dot-separated labels of 1 to 63 letters, digits or inner hyphens."
        )
    return host


def _check_free(host: str, port: int) -> None:
    """Fail in one sentence, before the server starts, when the address cannot be listened on."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UsageError(f"--host {host} is not an address this machine knows.") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = "is in use" if exc.errno in (98, 48) else f"cannot be listened on ({exc.strerror})"
            raise UsageError(f"{host}:{port} {reason}; choose another with --port.") from None
