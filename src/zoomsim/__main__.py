"""`python -m zoomsim --host 127.0.0.1 --port 8001 --seed FILE --state FILE`."""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

import uvicorn

from zoomsim.app import create_app
from zoomsim.seed import apply_seed
from zoomsim.sim import Simulator
from zoomsim.state import State


def build(seed: Path | None, state_path: Path | None, base_url: str) -> Simulator:
    state = State.load(state_path) if state_path and state_path.exists() else State()
    seed_data = json.loads(seed.read_text(encoding="utf-8")) if seed is not None else None
    if seed_data is not None:
        # Re-applying the seed over a restored state adds what is missing and keeps the rest.
        apply_seed(state, seed_data)
    state.knobs.base_url = base_url
    sim = Simulator(state, state_path)
    sim.seed = seed_data  # what POST /_sim/reset goes back to
    return sim


def main(argv: list[str] | None = None) -> None:
    # The state file holds every token zoomsim issued: its owner's alone, as the rest of var/.
    os.umask(0o077)
    parser = argparse.ArgumentParser(prog="zoomsim", description="A stand-in for Zoom.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--seed", type=Path, help="accounts, users, apps and knobs (JSON)")
    parser.add_argument("--state", type=Path, help="where the state is kept across restarts")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    sim = build(args.seed, args.state, f"http://{args.host}:{args.port}")
    print(f"zoomsim listening on http://{args.host}:{args.port}", flush=True)  # noqa: T201
    uvicorn.run(
        create_app(sim),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
    )


if __name__ == "__main__":
    main()
