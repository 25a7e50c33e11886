"""The tables. Importing this package registers every model on ``Base.metadata``."""
from .base import STATUSES, VISIBILITIES, RecordMixin, Status, Visibility
from .change_log import ChangeLog
from .contact import PERSONAL_FIELDS, Contact
from .file import TEXT_STATUSES, FilePage, MaterialFile
from .idempotency import IdempotencyKey
from .moderation import PENDING_STATUSES, PendingRevision, Submission
from .notification import (
    DEFAULT_FREQUENCIES,
    DIGEST_KIND,
    FREQUENCIES,
    MAIL_STATUSES,
    NOTIFICATION_KINDS,
    Notification,
    NotificationAttempt,
    NotificationSettings,
)
from .oauth import AuthorizationCode, AuthThrottle, OAuthClient, OAuthToken, token_hash
from .practice import AREAS, KINDS, SERVICES, Practice
from .project import PARTNER_KINDS, Project
from .review import DECISIONS, ReviewComment
from .society import Society
from .stats_snapshot import StatsSnapshot
from .topic import CATEGORIES, Topic
from .training_material import FORMATS, TrainingMaterial
from .user import ROLES, User
from .webhook import (
    ALL_EVENTS,
    DELIVERY_STATUSES,
    EVENT_ACTIONS,
    EVENT_PATTERNS,
    EVENT_TYPES,
    PING_EVENT,
    WebhookAttempt,
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
)

RECORD_MODELS = {m.record_type: m for m in (Practice, Contact, TrainingMaterial, Project)}
# Each record type's name in URLs: /api/v1/{path}/{id} and the console's /{path}/{id}.
RECORD_PATHS = {"practice": "practices", "contact": "contacts", "training-material": "training-materials",
                "project": "projects"}
# Each record type's name in the API's English messages ("No training material ... with id ...").
RECORD_NAMES = {record_type: record_type.replace("-", " ") for record_type in RECORD_MODELS}

__all__ = [
    "AREAS", "CATEGORIES", "DECISIONS", "ReviewComment", "FORMATS", "KINDS", "PERSONAL_FIELDS", "RECORD_MODELS",
    "RECORD_NAMES", "RECORD_PATHS",
    "ROLES", "SERVICES", "STATUSES", "VISIBILITIES", "AuthThrottle", "AuthorizationCode", "ChangeLog", "Contact",
    "OAuthClient", "OAuthToken",
    "Practice", "PARTNER_KINDS", "Project", "RecordMixin", "Society", "Status", "Topic", "TrainingMaterial", "User",
    "Visibility",
    "token_hash", "TEXT_STATUSES", "FilePage", "MaterialFile", "PENDING_STATUSES", "PendingRevision", "Submission",
    "ALL_EVENTS", "DELIVERY_STATUSES", "EVENT_ACTIONS", "EVENT_TYPES", "WebhookAttempt", "WebhookCursor",
    "WebhookDelivery", "WebhookEndpoint", "EVENT_PATTERNS", "PING_EVENT",
    "DEFAULT_FREQUENCIES", "DIGEST_KIND", "FREQUENCIES", "MAIL_STATUSES",
    "NOTIFICATION_KINDS", "Notification", "NotificationAttempt", "NotificationSettings", "IdempotencyKey",
    "StatsSnapshot",
]
