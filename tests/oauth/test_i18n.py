"""The sign-in and consent pages speak the console's language: the client's ui_locales (the console sends
its own), else the browser's Accept-Language, else English; <html lang> and Content-Language say which."""
from __future__ import annotations

from tests.oauth.helpers import authorize_url, make_user, sign_in


def test_sign_in_page_follows_ui_locales(client, web_client):
    url, _ = authorize_url(web_client, ui_locales="nl")
    response = client.get(url, headers={"Accept-Language": "fr"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="nl">' in html
    assert response.headers["Content-Language"] == "nl"
    assert '<label for="email">E-mailadres</label>' in html and '<label for="password">Wachtwoord</label>' in html
    assert ">Inloggen</button>" in html and "<title>Inloggen · ATN Hub</title>" in html


def test_sign_in_page_follows_the_browser_without_ui_locales(client, web_client):
    url, _ = authorize_url(web_client)
    dutch = client.get(url, headers={"Accept-Language": "en;q=0.3, nl-BE;q=0.9"}).get_data(as_text=True)
    assert '<html lang="nl">' in dutch and "Wachtwoord" in dutch
    english = client.get(url, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<html lang="en">' in english and '<label for="password">Password</label>' in english


def test_errors_and_consent_in_dutch_through_sign_in(client, web_client, db_session):
    make_user(db_session)
    url, _ = authorize_url(web_client, ui_locales="nl-NL", scope="read write")
    wrong = sign_in(client, url, "nina@rodekruis-nl.example", password="not it")
    assert wrong.status_code == 401 and "Onjuist e-mailadres of wachtwoord." in wrong.get_data(as_text=True)
    signed_in = sign_in(client, url, "nina@rodekruis-nl.example")
    assert signed_in.status_code == 303  # back to the same address: ui_locales kept
    consent = client.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert '<html lang="nl">' in consent and "vraagt toegang" in consent
    assert "Ingelogd als <strong>Nina</strong>" in consent
    assert ">Toestaan</button>" in consent and ">Weigeren</button>" in consent
    assert "items van je eigen vereniging aan te maken" in consent  # the write scope, described in Dutch


def test_error_page_in_the_browsers_language(client):
    response = client.get("/oauth/authorize?client_id=nobody&response_type=code",
                          headers={"Accept-Language": "nl"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and '<html lang="nl">' in html
    assert "Dit inlogverzoek kan niet worden verwerkt" in html


def test_names_in_the_page_are_escaped(client, web_client, db_session):
    from atn_hub.principal import SYSTEM
    from atn_hub.services import accounts

    accounts.create_user(db_session, SYSTEM, email="x@rodekruis-nl.example", name='<b>Bold</b>', role="member",
                         society_code="NL", password="correct horse battery staple")
    db_session.commit()
    url, _ = authorize_url(web_client, ui_locales="en")
    consent = client.get(sign_in(client, url, "x@rodekruis-nl.example").headers["Location"]).get_data(as_text=True)
    assert "<strong>&lt;b&gt;Bold&lt;/b&gt;</strong>" in consent and "<b>Bold</b>" not in consent
