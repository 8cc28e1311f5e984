"""Seed files: accounts with their users, apps, and knobs. Format documented in docs/zoomsim.md."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from zoomsim.model import Account, App, User
from zoomsim.state import Knobs, State


def apply_seed(state: State, seed: dict[str, Any]) -> None:
    """Add what the seed describes. Existing ids are left alone, so a seed can be re-applied."""
    known_knobs = {f.name for f in fields(Knobs)}
    for name, value in seed.get("knobs", {}).items():
        if name not in known_knobs:
            raise ValueError(f"unknown knob in seed: {name}")
        setattr(state.knobs, name, value)
    now = state.now()
    for raw_account in seed.get("accounts", []):
        account_data = dict(raw_account)
        users = account_data.pop("users", [])
        account = Account(**account_data)
        state.accounts.setdefault(account.id, account)
        for index, raw_user in enumerate(users):
            user = User(account_id=account.id, **raw_user)
            if not user.pmi:
                user.pmi = 5_550_000_000 + len(state.users) * 1000 + index
            if not user.created_at:
                user.created_at = now
            state.users.setdefault(user.id, user)
    for raw_app in seed.get("apps", []):
        app = App(**raw_app)
        state.apps.setdefault(app.client_id, app)
        if app.kind == "s2s" and app.account_id:
            # A server-to-server app is "installed" in the account that created it.
            state.installation_or_new(app.client_id, app.account_id, app.owner_user_id)


def load_seed_file(state: State, path: Path) -> None:
    apply_seed(state, json.loads(path.read_text(encoding="utf-8")))
