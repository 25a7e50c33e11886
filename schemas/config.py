from __future__ import annotations

from marshmallow import Schema, fields

# The languages the console speaks (its message catalogues): the network's languages.
CONSOLE_LANGUAGES = ["en", "nl", "fr", "de", "es", "it", "pt", "pl", "ro", "el", "bg", "hr", "cs", "da", "sv", "fi",
                     "uk"]


class ConfigSchema(Schema):
    working_language = fields.String(metadata={
        "description": "The network's working language (ISO 639-1, ATN_WORKING_LANGUAGE): records are shown in it "
                       "when none of the reader's languages is available; what missing_translation asks for"})
    languages = fields.List(fields.String(), metadata={
        "description": "The languages the console speaks (ISO 639-1 codes)"})
