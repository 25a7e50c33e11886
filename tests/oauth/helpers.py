from __future__ import annotations

import re

from atn_hub.principal import SYSTEM
from atn_hub.services import accounts

PASSWORD = "correct horse battery staple"
REDIRECT = "http://127.0.0.1:9/callback"


def make_user(db_session, email="nina@rodekruis-nl.example", role="member", society="NL"):
    user = accounts.create_user(db_session, SYSTEM, email=email, name="Nina", role=role, society_code=society,
                                password=PASSWORD)
    db_session.commit()
    return user


def make_client(db_session, **kwargs):
    defaults = dict(name="Client", society_code="NL", grant="client_credentials", scope="read write")
    client, secret = accounts.create_client(db_session, SYSTEM, **{**defaults, **kwargs})
    db_session.commit()
    return client.client_id, secret


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
