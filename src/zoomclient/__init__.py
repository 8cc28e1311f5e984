"""zoomclient: all the platform knows about speaking Zoom (OAuth, typed endpoint calls, errors,
paging, UUID encoding, rate-limit data, webhook verification). No Django: it gets tokens through
the `TokenSource` protocol and never touches the database. See docs/zoomclient.md."""

from zoomclient.catalog import ENDPOINTS, Endpoint, PerUserDailyLimit
from zoomclient.client import ZoomClient
from zoomclient.config import DEFAULT_TIMEOUT, ZoomEndpoints
from zoomclient.downloads import DownloadResult
from zoomclient.errors import (
    FieldError,
    ZoomAPIError,
    ZoomDownloadInterrupted,
    ZoomError,
    ZoomInvalidGrant,
    ZoomNotFound,
    ZoomOAuthError,
    ZoomRateLimited,
    ZoomScopeMissing,
    ZoomServerError,
    ZoomTransportError,
    ZoomUnauthorized,
    ZoomValidationError,
    ZoomWebhookInvalid,
)
from zoomclient.meetings import Meeting, MeetingListItem, MeetingSettings, MeetingSpec
from zoomclient.oauth import AuthorizationRequest, TokenSet, ZoomOAuth
from zoomclient.past_meetings import PastInstance, PastMeeting, PastParticipant, ReportParticipant
from zoomclient.ratelimits import RateLimitCategory, RateLimitInfo
from zoomclient.recordings import MeetingRecordings, RecordingFile
from zoomclient.registrants import (
    AddedRegistrant,
    BatchRegistrant,
    NewRegistrant,
    Registrant,
    RegistrantRef,
)
from zoomclient.tokens import ServerToServerTokenSource, TokenSource
from zoomclient.users import AccountUser, ZoomUser

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENDPOINTS",
    "AccountUser",
    "AddedRegistrant",
    "AuthorizationRequest",
    "BatchRegistrant",
    "DownloadResult",
    "Endpoint",
    "FieldError",
    "Meeting",
    "MeetingListItem",
    "MeetingRecordings",
    "MeetingSettings",
    "MeetingSpec",
    "NewRegistrant",
    "PastInstance",
    "PastMeeting",
    "PastParticipant",
    "PerUserDailyLimit",
    "RateLimitCategory",
    "RateLimitInfo",
    "RecordingFile",
    "Registrant",
    "RegistrantRef",
    "ReportParticipant",
    "ServerToServerTokenSource",
    "TokenSet",
    "TokenSource",
    "ZoomAPIError",
    "ZoomClient",
    "ZoomDownloadInterrupted",
    "ZoomEndpoints",
    "ZoomError",
    "ZoomInvalidGrant",
    "ZoomNotFound",
    "ZoomOAuth",
    "ZoomOAuthError",
    "ZoomRateLimited",
    "ZoomScopeMissing",
    "ZoomServerError",
    "ZoomTransportError",
    "ZoomUnauthorized",
    "ZoomUser",
    "ZoomValidationError",
    "ZoomWebhookInvalid",
]
