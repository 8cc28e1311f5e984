"""How many API calls a second zoomsim answers on this machine.

Starts zoomsim as a subprocess on loopback with rate limits off, gets a Server-to-Server token
through /oauth/token, creates one meeting, then drives `GET /v2/users/me` and
`GET /v2/meetings/{id}` (alternating) from several client processes over keep-alive HTTP/1.1
connections for a fixed number of seconds, and prints requests per second.

The load generator is a small raw asyncio HTTP/1.1 client: httpx spends more CPU per request than
zoomsim does, so with it the benchmark would measure the client.

    .venv/bin/python bench/zoomsim_throughput.py [--seconds 10] [--processes 2] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "zoomsim-test.json"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_zoomsim(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "zoomsim", "--host", HOST, "--port", str(port)]
    process = subprocess.Popen([*command, "--seed", str(SEED)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/_sim/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("zoomsim did not start")


def prepare(base_url: str) -> tuple[str, int]:
    """Rate limits off, a token, a meeting to read."""
    httpx.patch(f"{base_url}/_sim/knobs", json={"rate_limits": False}).raise_for_status()
    token_response = httpx.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "account_credentials", "account_id": "acct-acme"},
        auth=("acme-s2s-client-id", "acme-s2s-secret"),
    )
    token_response.raise_for_status()
    token: str = token_response.json()["access_token"]
    meeting = httpx.post(
        f"{base_url}/v2/users/acme-host/meetings",
        headers={"Authorization": f"Bearer {token}"},
        json={"topic": "Benchmark", "type": 2, "start_time": "2030-01-10T15:00:00Z"},
    )
    meeting.raise_for_status()
    meeting_id: int = meeting.json()["id"]
    return token, meeting_id


def request_bytes(path: str, token: str, port: int) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()


async def drive_connection(
    port: int, requests: list[bytes], deadline: float, counts: collections.Counter[int]
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    sent = 0
    try:
        while time.monotonic() < deadline:
            writer.write(requests[sent % len(requests)])
            sent += 1
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            counts[int(status_line.split()[1])] += 1
    finally:
        writer.close()


def client_process(
    port: int, requests: list[bytes], seconds: float, connections: int
) -> dict[int, int]:
    try:
        import uvloop  # the same event loop uvicorn uses, so the client stays cheap

        uvloop.install()
    except ImportError:
        pass
    counts: collections.Counter[int] = collections.Counter()
    deadline = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(
            *(drive_connection(port, requests, deadline, counts) for _ in range(connections))
        )

    asyncio.run(run())
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--connections", type=int, default=8, help="connections per process")
    args = parser.parse_args()

    port = free_port()
    server = start_zoomsim(port)
    try:
        token, meeting_id = prepare(f"http://{HOST}:{port}")
        requests = [
            request_bytes("/v2/users/me", token, port),
            request_bytes(f"/v2/meetings/{meeting_id}", token, port),
        ]
        client_process(port, requests, 1.0, 2)  # warm-up
        with multiprocessing.Pool(args.processes) as pool:
            started = time.monotonic()
            results = pool.starmap(
                client_process,
                [(port, requests, args.seconds, args.connections)] * args.processes,
            )
            elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)

    totals: collections.Counter[int] = collections.Counter()
    for result in results:
        totals.update(result)
    done = sum(totals.values())
    print(f"zoomsim throughput: {done / elapsed:,.0f} requests/second")
    print(
        f"  {done:,} requests in {elapsed:.1f} s, {args.processes} client processes x "
        f"{args.connections} keep-alive connections, GET /v2/users/me + GET /v2/meetings/{{id}}"
    )
    print(f"  statuses: {dict(sorted(totals.items()))}")
    if set(totals) != {200}:
        raise SystemExit("some requests did not answer 200")


if __name__ == "__main__":
    main()
