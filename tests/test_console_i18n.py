"""The console in the reader's language: every catalogue (static/console/i18n/<code>.json) has exactly the
English one's keys, the same {placeholders} in each message, and the plural forms its language needs; every
language the console offers has a catalogue; every key the console's scripts ask for exists; no English text is
left in the scripts outside the catalogue. The server's side (atn_hub.i18n): the language negotiated from
ui_locales and Accept-Language, English as the fallback, the console document's <html lang> and <noscript>."""
from __future__ import annotations

import json
import re

import pytest

from atn_hub import i18n
from atn_hub.console import CONSOLE_DIR
from atn_hub.principal import SCOPES

CATALOGUES = CONSOLE_DIR / "i18n"
JS = CONSOLE_DIR / "js"
ENGLISH = json.loads((CATALOGUES / "en.json").read_text(encoding="utf-8"))
LANGUAGES = json.loads("[" + re.search(r"export const LANGUAGES = \[(.*?)\];", (JS / "i18n.js").read_text(),
                                       re.S).group(1) + "]")
WRITTEN = sorted(path.stem for path in CATALOGUES.glob("*.json"))

# The plural categories whole numbers take in each language (Intl.PluralRules, CLDR 44): a plural message must
# have these and "other" (t() falls back to it), and may have no category the language does not know. French,
# Spanish, Italian and Portuguese also have "many", for round millions only: optional, "other" serves.
PLURALS = {"en": {"one"}, "nl": {"one"}, "fr": {"one"}, "de": {"one"}, "es": {"one"}, "it": {"one"}, "pt": {"one"},
           "pl": {"one", "few", "many"}, "ro": {"one", "few"}, "el": {"one"}, "bg": {"one"}, "hr": {"one", "few"},
           "cs": {"one", "few"}, "da": {"one"}, "sv": {"one"}, "fi": {"one"}, "uk": {"one", "few", "many"}}
KNOWN = {"en": {"one"}, "nl": {"one"}, "fr": {"one", "many"}, "de": {"one"}, "es": {"one", "many"},
         "it": {"one", "many"}, "pt": {"one", "many"}, "pl": {"one", "few", "many"}, "ro": {"one", "few"},
         "el": {"one"}, "bg": {"one"}, "hr": {"one", "few"}, "cs": {"one", "few", "many"}, "da": {"one"},
         "sv": {"one"}, "fi": {"one"}, "uk": {"one", "few", "many"}}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def load(code: str) -> dict:
    return json.loads((CATALOGUES / f"{code}.json").read_text(encoding="utf-8"))


def placeholders(message) -> set[str]:
    texts = message.values() if isinstance(message, dict) else [message]
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


def test_the_api_offers_the_languages_the_console_speaks():
    """GET /api/v1/config's languages are the console's (two lists, one in Python and one in the script)."""
    from schemas.config import CONSOLE_LANGUAGES

    assert CONSOLE_LANGUAGES == LANGUAGES
    assert sorted(i18n.available()) == sorted(LANGUAGES)  # and every catalogue is one the console offers


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_of_the_console_has_a_catalogue(code):
    assert (CATALOGUES / f"{code}.json").exists(), f"no catalogue for {code}: static/console/i18n/{code}.json"


def test_the_languages_offered_are_the_networks():
    assert LANGUAGES[0] == "en" and len(LANGUAGES) == len(set(LANGUAGES)) == 17
    assert set(LANGUAGES) == set(PLURALS)


@pytest.mark.parametrize("code", WRITTEN)
def test_catalogue_is_in_the_canonical_format(code):
    """One format for all, so that catalogues written on different branches merge by script."""
    text = (CATALOGUES / f"{code}.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.parametrize("code", WRITTEN)
def test_catalogue_has_every_english_key_and_no_other(code):
    catalogue = load(code)
    assert sorted(set(ENGLISH) - set(catalogue)) == [], f"{code} lacks these keys"
    assert sorted(set(catalogue) - set(ENGLISH)) == [], f"{code} has keys English has not"


@pytest.mark.parametrize("code", WRITTEN)
def test_messages_keep_their_placeholders(code):
    catalogue = load(code)
    wrong = {key: sorted(placeholders(catalogue[key]) ^ placeholders(english))
             for key, english in ENGLISH.items() if key in catalogue
             and placeholders(catalogue[key]) != placeholders(english)}
    assert wrong == {}


@pytest.mark.parametrize("code", WRITTEN)
def test_messages_are_text_or_plural_forms(code):
    catalogue = load(code)
    for key, message in catalogue.items():
        english = ENGLISH.get(key)
        if isinstance(english, dict):
            assert isinstance(message, dict), f"{code} {key}: a plural message needs plural forms"
            needed = PLURALS.get(code, {"one"}) | {"other"}
            known = KNOWN.get(code, {"one"}) | {"other"}
            assert needed <= set(message), f"{code} {key}: lacks {sorted(needed - set(message))}"
            assert set(message) <= known, f"{code} {key}: {sorted(set(message) - known)} unknown in {code}"
            assert all(isinstance(text, str) and text.strip() for text in message.values()), f"{code} {key}"
        else:
            assert isinstance(message, str) and message.strip(), f"{code} {key}: empty"


def test_english_plural_forms_say_the_count():
    for key, message in ENGLISH.items():
        if isinstance(message, dict):
            assert set(message) == {"one", "other"}, key
            assert "{count}" in message["other"], key


# --- The scripts against the catalogue ----------------------------------------------------------------------

def scripts() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(JS.glob("*.js"))}


def without_comments(source: str) -> str:
    """The script with its // and /* */ comments blanked (strings kept, so a "//" in a URL survives)."""
    out, i, quote = [], 0, None
    while i < len(source):
        char = source[i]
        if quote:
            out.append(char)
            if char == "\\":
                out.append(source[i + 1])
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
            out.append(char)
        elif source.startswith("//", i) and source[max(0, i - 1)] not in ":\\":
            end = source.find("\n", i)
            i = len(source) if end < 0 else end
            continue
        elif source.startswith("/*", i):
            i = source.find("*/", i) + 2
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)


def test_every_key_the_scripts_ask_for_is_in_english():
    missing = []
    for name, source in scripts().items():
        for key in re.findall(r"\bt\(\s*\"([^\"]+)\"", source):
            if key not in ENGLISH:
                missing.append(f"{name}: {key}")
        # t(`search.facet.${name}`): at least one key begins so
        for prefix in re.findall(r"\bt\(\s*`([^`$]*)\$\{", source):
            if not any(key.startswith(prefix) for key in ENGLISH):
                missing.append(f"{name}: {prefix}...")
    assert missing == []


def test_every_key_the_document_asks_for_is_in_english():
    document = (CONSOLE_DIR / "index.html").read_text(encoding="utf-8")
    keys = re.findall(r'data-i18n(?:-aria-label)?="([^"]+)"', document)
    assert keys and [key for key in keys if key not in ENGLISH] == []


def test_server_rendered_keys_are_in_english():
    for template in (CONSOLE_DIR.parent.parent / "templates").glob("*.html"):
        for key in re.findall(r"\bt\(\"([^\"]+)\"[,)]", template.read_text(encoding="utf-8")):
            assert key in ENGLISH, f"{template.name}: {key}"
    assert [scope for scope in SCOPES if f"oauth.scope.{scope}" not in ENGLISH] == []


def call_arguments(source: str, start: int) -> list[str]:
    """The top-level arguments of the call whose "(" is at `start`, as source text."""
    args, depth, i, begin, quote, braces = [], 0, start, start + 1, None, []
    while i < len(source):
        char = source[i]
        if quote:
            if char == "\\":
                i += 1
            elif quote == "`" and source.startswith("${", i):
                braces.append("`")
                quote = None
                depth += 1
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
            if char == "{":
                braces.append("{")
        elif char in ")]}":
            if char == "}" and braces:
                if braces.pop() == "`":
                    quote = "`"
            depth -= 1
            if depth == 0:
                args.append(source[begin:i])
                return args
        elif char == "," and depth == 1:
            args.append(source[begin:i])
            begin = i + 1
        i += 1
    return args


LITERAL = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`")


def top_level_literals(expression: str) -> list[str]:
    """String literals of an expression that are not arguments of a call inside it (t("key") is fine)."""
    found, depth, i = [], 0, 0
    while i < len(expression):
        match = LITERAL.match(expression, i)
        if match:
            compared = re.search(r"[!=]==?\s*$", expression[:i]) or re.match(r"\s*[!=]==?", expression[match.end():])
            if depth == 0 and not compared:
                found.append(match.group(0))
            i = match.end()
            continue
        if expression[i] == "(":
            depth += 1
        elif expression[i] == ")":
            depth -= 1
        i += 1
    return found


def is_prose(literal: str) -> bool:
    if literal[1:-1] in ENGLISH:  # a key of the catalogue, read with t() further on
        return False
    text = re.sub(r"\$\{[^}]*\}", "", literal[1:-1])
    return bool(re.search(r"[A-Za-z]{2,}", text))


@pytest.mark.parametrize("name", sorted(scripts()))
def test_no_english_text_is_left_in_the_script(name):
    source = without_comments(scripts()[name])
    found = []
    for call in re.finditer(r"(?<![\w.$])h\(", source):
        for child in call_arguments(source, call.end() - 1)[2:]:
            found += [literal for literal in top_level_literals(child) if is_prose(literal)]
    context = re.compile(r"(?:\bannounce\(|\bError\(|textContent\s*=|\"aria-label\":|\btitle:|\bplaceholder:|"
                         r"\berror:|\bannounce:)\s*(" + LITERAL.pattern + ")")
    found += [match.group(1) for match in context.finditer(source) if is_prose(match.group(1))]
    assert found == []


def test_the_scan_finds_english_text():
    """The check above would see text left in English, in its usual places."""
    source = 'h("p", {}, "Nothing found.", t("x"), cond ? "Try again" : null); announce(`Saved ${n}.`);'
    children = call_arguments(source, 1)[2:]
    assert [literal for child in children for literal in top_level_literals(child) if is_prose(literal)] == [
        '"Nothing found."', '"Try again"']
    assert not is_prose('" · "') and not is_prose("`(${count})`") and is_prose("`Saved ${n}.`")


# --- The server's side ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ui_locales", "accept", "expected"), [
    (None, None, "en"),
    (None, "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7", "nl"),
    (None, "en;q=0.5, nl;q=0.9", "nl"),  # quality, not order
    (None, "nl;q=0, en;q=0.4", "en"),  # q=0: not Dutch
    (None, "ja, zh;q=0.9", "en"),  # nothing the console speaks: English
    (None, "ja, nl-BE;q=0.3", "nl"),
    ("nl", "en", "nl"),  # the client's choice first
    ("ja nl-BE", "en", "nl"),
    ("ja", "nl", "nl"),  # ui_locales with nothing spoken: Accept-Language then
    ("<script>", "garbage;;q=x", "en"),
])
def test_the_language_of_a_server_page(ui_locales, accept, expected):
    assert i18n.negotiate(ui_locales, accept) == expected


def test_accept_language_is_read_with_its_qualities():
    assert i18n.parse_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == ["fr", "en", "de"]
    assert i18n.parse_accept_language("") == []


def test_messages_fall_back_to_english_then_the_key(monkeypatch):
    assert i18n.message("nl", "oauth.password") == "Wachtwoord"
    assert i18n.message("xx", "oauth.password") == "Password"
    heading = i18n.message("nl", "oauth.sign_in.heading", client="ATN Hub web")
    assert heading == "Log in om verder te gaan naar ATN Hub web"
    assert i18n.message("nl", "no.such.key") == "no.such.key"
    monkeypatch.delitem(i18n.catalogue("nl"), "oauth.password")
    assert i18n.message("nl", "oauth.password") == "Password"  # a key a translator has not reached yet


def test_plural_messages_on_the_server():
    assert i18n.message("en", "search.results", count=1) == "1 result"
    assert i18n.message("nl", "search.results", count=3) == "3 resultaten"


def test_templates_get_escaped_text():
    t = i18n.translator("en")
    heading = t("oauth.sign_in.heading", client='<img src=x onerror="alert(1)">')
    assert "<img" not in heading and "&lt;img" in heading


def test_the_console_document_speaks_the_browsers_language(client):
    response = client.get("/my-society", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"})
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html and response.headers["Content-Language"] == "nl"
    assert "Accept-Language" in response.headers["Vary"]
    assert "De ATN Hub-console heeft JavaScript nodig" in html and '<a href="/docs">/docs</a>' in html
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english and "The ATN Hub console needs JavaScript" in english
