from __future__ import annotations

import pytest

from tests.oauth.helpers import REDIRECT, make_client


@pytest.fixture
def web_client(db_session, reference_data):
    """A public authorization-code client, as the web console is."""
    client_id, _ = make_client(db_session, name="web", society_code=None, grant="authorization_code",
                               scope="read write contacts:read moderate", redirect_uris=[REDIRECT], public=True)
    return client_id
