"""What zoomsim holds. Plain dataclasses, so the whole state can be written to and read from JSON.

Times are POSIX timestamps of the simulator's clock (floats); they become Zoom's ISO strings only at
the edge, in the handlers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Plan = Literal["free", "pro", "business"]
UserStatus = Literal["active", "pending", "inactive"]
Role = Literal["owner", "admin", "member"]
AppKind = Literal["oauth_admin", "s2s"]

# Zoom's user `type`: 1 Basic, 2 Licensed, 4 Unassigned without Meetings Basic.
BASIC, LICENSED = 1, 2


@dataclass
class Account:
    id: str
    name: str
    plan: Plan = "pro"


@dataclass
class User:
    id: str
    account_id: str
    email: str
    first_name: str
    last_name: str
    type: int = LICENSED
    status: UserStatus = "active"
    role: Role = "member"
    timezone: str = "UTC"
    password: str = ""
    pmi: int = 0
    created_at: float = 0.0
    # Scheduling privilege: ids of the users this user allowed to schedule for them (Zoom web
    # portal, Settings → Schedule Privilege). Moving a meeting to this user needs its host here.
    schedulers: list[str] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_admin(self) -> bool:
        return self.role in ("owner", "admin")


@dataclass
class App:
    client_id: str
    client_secret: str
    name: str
    kind: AppKind = "oauth_admin"
    redirect_urls: list[str] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    scopes: list[str] = field(default_factory=list)
    # Server-to-server apps belong to one account; `me` is the user who created the app.
    account_id: str = ""
    owner_user_id: str = ""
    # Endpoint URL validation (`endpoint.url_validation`): Zoom disables the event subscription
    # after 6 consecutive failed validations.
    webhook_validated_at: float | None = None
    webhook_validation_failures: int = 0
    webhook_disabled: bool = False


@dataclass
class Installation:
    """An app authorized for an account (admin-managed OAuth) or made in it (server-to-server)."""

    client_id: str
    account_id: str
    user_id: str
    installed_at: float
    active: bool = True


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: str
    account_id: str
    redirect_uri: str
    expires_at: float
    code_challenge: str = ""
    code_challenge_method: str = ""
    used: bool = False


@dataclass
class Token:
    access_token: str
    client_id: str
    account_id: str
    user_id: str
    scopes: list[str]
    access_expires_at: float
    refresh_token: str | None = None
    refresh_expires_at: float | None = None
    access_revoked: bool = False
    refresh_revoked: bool = False
    # Set when a refresh replaced this pair: the old refresh token is dead from then on.
    replaced_by: str | None = None

    def revoke(self) -> None:
        """Both halves stop working: the access token gets 401/124, the refresh invalid_grant."""
        self.access_revoked = True
        self.refresh_revoked = True


@dataclass
class Meeting:
    id: int
    uuid: str
    account_id: str
    host_id: str
    topic: str
    type: int
    start_time: float | None
    duration: int
    timezone: str
    agenda: str
    password: str
    settings: dict[str, Any]
    created_at: float
    status: str = "waiting"  # waiting | started
    deleted: bool = False
    tracking: dict[str, Any] = field(default_factory=dict)  # extra request fields kept verbatim


@dataclass
class Registrant:
    id: str
    meeting_id: int
    email: str
    first_name: str
    last_name: str
    status: str  # approved | pending | denied
    join_url: str
    create_time: float
    participant_pin_code: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class Instance:
    """One run of a meeting. Each run gets a new UUID; the meeting id stays."""

    uuid: str
    meeting_id: int
    account_id: str
    host_id: str
    topic: str
    start_time: float
    end_time: float | None = None
    report_available_at: float | None = None
    # Cloud recordings: the passwords Zoom gives the recording, and whether `recording.completed`
    # has gone out (it is sent once, when the files become available).
    recording_password: str = ""
    recording_play_passcode: str = ""
    recording_event_sent: bool = False


@dataclass
class Segment:
    """One join-to-leave stretch of one participant: Zoom reports one row per segment."""

    id: str
    instance_uuid: str
    user_id: str  # per join, new on every rejoin (Zoom's behaviour)
    participant_user_id: str  # Zoom user id, "" for guests
    name: str
    email: str
    registrant_id: str
    join_time: float
    leave_time: float | None = None
    person_key: str = ""  # who this is, across rejoins (simulator-only bookkeeping)


@dataclass
class RecordingFile:
    id: str
    instance_uuid: str
    meeting_id: int
    file_type: str  # MP4, TRANSCRIPT, CHAT, ...
    file_extension: str
    recording_type: str
    file_size: int
    recording_start: float
    recording_end: float
    available_at: float
    content: str = "fixture"  # fixture | generated | text
    text: str = ""
    deleted: bool = False
    trashed: bool = False


@dataclass
class DownloadToken:
    """A token that lets its holder download one instance's recording files without OAuth: the
    `download_token` of `recording.completed` (24 h) or the API's `download_access_token`."""

    token: str
    account_id: str
    instance_uuid: str
    expires_at: float


@dataclass
class WebhookDelivery:
    id: str
    client_id: str
    account_id: str
    url: str
    event: str
    body: str
    created_at: float
    next_attempt_at: float | None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    state: str = "pending"  # pending | delivered | failed


@dataclass
class FaultRule:
    id: str
    path_pattern: str  # a regular expression searched in the request path
    method: str = "*"
    remaining: int = 1  # how many matching calls it still fails; -1 = until removed
    status: int = 500
    code: int | None = None
    message: str = "Simulated failure."
    drop_connection: bool = False
    retry_after: str = ""
    # Handle the call (the meeting is made), then drop its answer: a response lost on the way.
    drop_after_handling: bool = False
