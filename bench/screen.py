"""Call screening latency: ``POST /api/v1/screen/call`` over loopback at a fixed request rate.

Target (issue 7): p99 at most 10 ms at 1,000 requests/s for 60 s, no errors, on a 2-core machine.

Three processes: this one seeds a SQLite store (tags on numbers, model- and analyst-sourced, some confirmed) and
a customer directory; a uvicorn server runs a minimal FastAPI app with the screening router; a load generator
process sends requests **open loop** (request ``i`` is due at ``start + i / rate`` whatever earlier answers did)
over keep-alive HTTP/1.1 connections on asyncio streams (a lean hand-written client: httpx costs more CPU per
request than the server under test). Latency is measured from the time a request was *due*,
not when it was sent, so a stalled server cannot hide its backlog (no coordinated omission).

    python bench/screen.py                  # 1,000 req/s for 60 s
    python bench/screen.py --seconds 10     # quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

CUSTOMERS = 100_000
TAGGED_NUMBERS = 1_000


def _customer_phone(i: int) -> str:
    return f"+86138{i:08d}"


def _tagged_number(i: int) -> str:
    return f"+86170{i:08d}"


# ------------------------------------------------------------------------------------------------ store
def seed(db_url: str, tagged: int) -> None:
    """Tags on ``tagged`` numbers through the real tag service (history and audit included)."""
    from grayshield.store import Database, upgrade
    from grayshield.tags import TagProposal, TagService

    db = Database(db_url)
    upgrade(db)
    with db.session() as session:
        model = TagService(session, "bench-model")
        for i in range(tagged):
            model.propose(TagProposal("blackgray_number", "number", _tagged_number(i), "model", 0.6 + (i % 4) / 10))
    with db.session() as session:
        reviewer = TagService(session, "bench-reviewer")
        for tag in reviewer.list(state="proposed", limit=tagged // 2):
            reviewer.review(tag.id, "confirm", "基准测试确认")
    db.dispose()


# ------------------------------------------------------------------------------------------------ server
def serve(db_url: str, port: int, customers: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    from grayshield.services.screening import MappingDirectory, Screener, TagCache
    from grayshield.services.screening_stats import ScreeningStats
    from grayshield.store import Database
    from grayshield.web.api.screen import router

    app = FastAPI()
    app.include_router(router, prefix="/api/v1")
    directory = MappingDirectory({f"C{i:07d}": _customer_phone(i) for i in range(customers)})
    app.state.screener = Screener(TagCache(Database(db_url)), directory)
    app.state.screening_stats = ScreeningStats(Database(db_url))  # the overview's counter, as in the console
    app.state.screener.screen(_customer_phone(0), "95555", "C0000000")  # load tags and number metadata first
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------------------------------------ load
def _payloads(customers: int, tagged: int, n: int = 5_000, seed_: int = 0) -> list[bytes]:
    """A realistic mix: customers on their own phone, tagged numbers, strangers calling about a customer."""
    rng = random.Random(seed_)
    out = []
    for _ in range(n):
        customer = rng.randrange(customers)
        roll = rng.random()
        if roll < 0.7:
            caller = _customer_phone(customer)
        elif roll < 0.9:
            caller = _tagged_number(rng.randrange(tagged))
        else:
            caller = f"+86186{rng.randrange(10**8):08d}"
        body: dict[str, Any] = {"caller": caller, "called_line": "95555"}
        if rng.random() < 0.9:
            body["claimed_customer_id"] = f"C{customer:07d}"
        out.append(json.dumps(body).encode())
    return out


async def _connection(host: str, port: int, path: str, queue: asyncio.Queue[tuple[int, float] | None],
                      payloads: list[bytes], record: Any) -> None:
    """One keep-alive HTTP/1.1 connection taking due requests from ``queue`` until it reads ``None``.

    Hand-written on asyncio streams because httpx spends about a millisecond of CPU per request, more than the
    server under test: with it the generator, not the server, would set the latency on a 2-core machine.
    """
    reader, writer = await asyncio.open_connection(host, port)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: "
    while (item := await queue.get()) is not None:
        i, due = item
        body = payloads[i % len(payloads)]
        sent = time.perf_counter()
        try:
            writer.write(f"{head}{len(body)}\r\n\r\n".encode() + body)
            status_line = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2.0)
            length = int(next((line.split(b":", 1)[1] for line in status_line.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), b"0"))
            await asyncio.wait_for(reader.readexactly(length), 2.0)
            key = status_line.split(b" ", 2)[1].decode()
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            key = type(exc).__name__
            writer.close()
            reader, writer = await asyncio.open_connection(host, port)
        record(key, due, sent, time.perf_counter())
    writer.close()


async def _drive(url: str, rate: float, seconds: float, connections: int, payloads: list[bytes]) -> dict[str, Any]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
    total = int(rate * seconds)
    latencies: list[float] = []
    service: list[float] = []
    statuses: dict[str, int] = {}

    def record(key: str, due: float, sent: float, done: float) -> None:
        statuses[key] = statuses.get(key, 0) + 1
        latencies.append(done - due)
        service.append(done - sent)

    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    workers = [asyncio.create_task(_connection(host, port, path, queue, payloads, record))
               for _ in range(connections)]
    for i in range(50):  # warm-up: connections open, caches filled; not measured
        queue.put_nowait((i, time.perf_counter()))
    while queue.qsize():
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    latencies.clear()
    service.clear()
    statuses.clear()
    start = time.perf_counter() + 0.1
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    return {"requests": total, "elapsed_s": elapsed, "latencies": latencies, "service": service,
            "statuses": statuses}


def _quantiles(values: list[float]) -> dict[str, float]:
    import numpy as np

    arr = np.asarray(values) * 1000
    return {f"p{q}": float(np.percentile(arr, q)) for q in (50, 90, 99)} | {"max": float(arr.max())}


def load(url: str, rate: float, seconds: float, connections: int, customers: int, tagged: int) -> None:
    result = asyncio.run(_drive(url, rate, seconds, connections, _payloads(customers, tagged)))
    print(json.dumps({
        "requests": result["requests"], "achieved_rate": result["requests"] / result["elapsed_s"],
        "statuses": result["statuses"], "latency_ms": _quantiles(result["latencies"]),
        "service_time_ms": _quantiles(result["service"]),
    }))


# ------------------------------------------------------------------------------------------------ main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=1000.0, help="requests per second (open loop)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--tagged", type=int, default=TAGGED_NUMBERS)
    parser.add_argument("--no-record", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # internal: run the server on this db URL
    parser.add_argument("--load", help=argparse.SUPPRESS)  # internal: run the load generator against this URL
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.customers)
        return
    if args.load:
        load(args.load, args.rate, args.seconds, args.connections, args.customers, args.tagged)
        return

    with tempfile.TemporaryDirectory(prefix="gs-bench-screen-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'store.db'}"
        seed(db_url, args.tagged)
        port = _free_port()
        script = str(Path(__file__).resolve())
        common = ["--customers", str(args.customers), "--tagged", str(args.tagged)]
        server = subprocess.Popen([sys.executable, script, "--serve", db_url, "--port", str(port), *common])
        try:
            url = f"http://127.0.0.1:{port}/api/v1/screen/call"
            _wait_for(port, server)
            out = subprocess.run(
                [sys.executable, script, "--load", url, "--rate", str(args.rate), "--seconds", str(args.seconds),
                 "--connections", str(args.connections), *common],
                check=False, capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"the load generator failed:\n{out.stderr}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    ok = report["statuses"].get("200", 0)
    errors = report["requests"] - ok
    lat = report["latency_ms"]
    lines = [
        f"- load: {args.rate:,.0f} requests/s open loop for {args.seconds:g} s over {args.connections} keep-alive "
        f"connections (asyncio open-loop generator in its own process; uvicorn, one worker, loopback)",
        f"- store: SQLite with {args.tagged:,} tagged numbers; directory of {args.customers:,} customers",
        f"- achieved rate: {report['achieved_rate']:,.0f} requests/s; answers: {report['statuses']}",
        f"- latency from due time: p50 {lat['p50']:.2f} ms, p90 {lat['p90']:.2f} ms, p99 {lat['p99']:.2f} ms, "
        f"max {lat['max']:.1f} ms (target p99 ≤ 10 ms)",
        f"- errors: {errors} ({'target met' if errors == 0 and lat['p99'] <= 10 else 'target missed'})",
    ]
    if args.no_record:
        print("\n".join(lines))
    else:
        from _common import record

        record("screen", "Call screening (POST /api/v1/screen/call)", lines)


def _wait_for(port: int, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the screening server exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the screening server did not start within 60 s")


if __name__ == "__main__":
    main()
