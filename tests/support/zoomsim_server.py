"""zoomsim running for real, over HTTP on loopback, inside the test process (a server thread).

Tests talk to it only over HTTP; `reset()` and `token()` reach into its state directly, the way a
database fixture inserts rows: to set the scene, never to check the result.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from zoomsim.app import create_app
from zoomsim.model import Token
from zoomsim.seed import load_seed_file
from zoomsim.sim import Simulator
from zoomsim.state import State

ROOT = Path(__file__).resolve().parents[2]
TEST_SEED = ROOT / "seeds" / "zoomsim-test.json"


class LiveZoomsim:
    def __init__(self, seed: Path = TEST_SEED, state_path: Path | None = None) -> None:
        self.seed = seed
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.sim = Simulator(self._fresh_state(), state_path)
        self.sim.seed = json.loads(seed.read_text(encoding="utf-8"))
        self.app = create_app(self.sim)
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def _fresh_state(self) -> State:
        state = State()
        load_seed_file(state, self.seed)
        state.knobs.base_url = self.base_url
        return state

    def start(self) -> LiveZoomsim:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("zoomsim did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def reset(self) -> None:
        """Back to the seed: a clean Zoom for the next test."""
        self.sim.state = self._fresh_state()

    @property
    def state(self) -> State:
        return self.sim.state

    def token(
        self,
        user_id: str = "acme-admin",
        *,
        client_id: str = "campus-client-id",
        scopes: list[str] | None = None,
        ttl: float = 3600,
    ) -> str:
        """An installed app's access token for `user_id`, as if OAuth had just run."""
        state = self.sim.state
        user = state.users[user_id]
        app = state.apps[client_id]
        state.installation_or_new(client_id, user.account_id, user_id)
        access = "sim-test-" + secrets.token_urlsafe(24)
        state.tokens[access] = Token(
            access_token=access,
            client_id=client_id,
            account_id=user.account_id,
            user_id=user_id,
            scopes=list(app.scopes if scopes is None else scopes),
            access_expires_at=state.now() + ttl,
        )
        return access

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=10)
