"""ATN_MAX_PAGE_SIZE sets the largest page of every list and of search, lower or higher than the default 100."""
from __future__ import annotations

import pytest

LISTS = ["/api/v1/practices", "/api/v1/contacts", "/api/v1/training-materials", "/api/v1/societies",
         "/api/v1/topics", "/api/v1/search"]


@pytest.mark.parametrize("path", LISTS)
def test_the_largest_page_follows_the_setting(app, client, path, monkeypatch, reference_data):
    settings = app.config["ATN_SETTINGS"]
    assert client.get(path, query_string={"page_size": 100}).status_code == 200
    too_large = client.get(path, query_string={"page_size": 101})
    assert too_large.status_code == 422 and "page_size" in too_large.json["errors"]["query"]

    monkeypatch.setattr(settings, "max_page_size", 5)
    refused = client.get(path, query_string={"page_size": 6})
    assert refused.status_code == 422
    assert refused.json["errors"]["query"]["page_size"] == ["Must be greater than or equal to 1 and less than or "
                                                            "equal to 5."]
    assert client.get(path, query_string={"page_size": 5}).status_code == 200

    monkeypatch.setattr(settings, "max_page_size", 250)
    assert client.get(path, query_string={"page_size": 250}).status_code == 200
    assert client.get(path, query_string={"page_size": 251}).status_code == 422


def test_admins_lists_follow_it_too(app, client, admin, monkeypatch):
    monkeypatch.setattr(app.config["ATN_SETTINGS"], "max_page_size", 2)
    for path in ("/api/v1/users", "/api/v1/audit"):
        assert client.get(path, query_string={"page_size": 3}, headers=admin.headers).status_code == 422
        assert client.get(path, query_string={"page_size": 2}, headers=admin.headers).status_code == 200
