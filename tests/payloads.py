"""Valid request bodies per resource, to vary in tests."""
from __future__ import annotations

import copy

RESOURCES = ["practices", "contacts", "training-materials", "projects"]

VALID = {
    "practices": {
        "title": "Legal-practical support during the residence procedure",
        "summary": "Volunteers accompany presumed victims through the B8 residence procedure.",
        "body": "Slachtoffers van mensenhandel krijgen juridische en praktische steun tijdens de procedure.",
        "language": "nl",
        "translations": {"en": {"title": "Legal support", "summary": "Support during the procedure."}},
        "countries": ["NL"],
        "kind": "good_practice",
        "topics": ["legal-aid", "residence-procedure"],
        "target_groups": ["migrants"],
        "forms_of_exploitation": ["labour-exploitation"],
        "areas": ["protection"],
        "services": ["legal_aid", "referral"],
        "results": "120 people supported in 2024.",
        "evaluation": "External evaluation in 2023.",
        "start_year": 2019,
        "end_year": None,
        "links": [{"url": "https://www.rodekruis.nl", "title": "Netherlands Red Cross"}],
        "external_id": "NL-P-1",
        "visibility": "network",
    },
    "contacts": {
        "name": "Anna Jansen",
        "role": "Anti-trafficking focal point",
        "country": "NL",
        "email": "anna.jansen@rodekruis-nl.example",
        "phone": "+31 70 123 4567",
        "languages": ["nl", "en"],
        "topics": ["legal-aid"],
        "consent_recorded_at": "2025-03-14T10:00:00Z",
        "review_due_at": "2027-03-14T00:00:00Z",
        "external_id": "NL-C-1",
    },
    "training-materials": {
        "title": "Ondersteuning tijdens de verblijfsprocedure",
        "description": "Brochure voor vrijwilligers over de verblijfsprocedure voor slachtoffers.",
        "format": "pdf",
        "languages": ["nl", "en"],
        "audience": "Volunteers",
        "duration_minutes": 30,
        "external_url": "https://www.rodekruis.nl",
        "licence": "CC BY 4.0",
        "topics": ["residence-procedure"],
        "external_id": "NL-T-1",
        "visibility": "public",
    },
    "projects": {
        "title": "Safe transition from reception to protection",
        "acronym": "STEP",
        "summary": "Red Cross volunteers and reception staff spot signs of trafficking among asylum seekers.",
        "description": "Samen met het COA en VluchtelingenWerk herkennen vrijwilligers signalen van mensenhandel.",
        "language": "nl",
        "translations": {"en": {"title": "Safe transition", "summary": "Spotting signs in reception centres."}},
        "countries": ["NL"],
        "start_date": "2021-01-01",
        "end_date": "2023-12-31",
        "funders": ["European Union, AMIF"],
        "partners": [{"name": "Centraal Orgaan opvang asielzoekers (COA)", "country": "NL",
                      "kind": "government_agency", "url": "https://www.coa.nl"},
                     {"name": "CoMensha", "country": "NL", "kind": "ngo", "url": None}],
        "societies": ["GB"],
        "web_address": "https://www.rodekruis.nl",
        "topics": ["legal-aid"],
        "external_id": "NL-PR-1",
        "visibility": "network",
    },
}

# A field whose change every resource accepts, and a new value for it.
EDIT = {"practices": ("title", "A better title"), "contacts": ("role", "Head of the legal desk"),
        "training-materials": ("title", "Een betere titel"), "projects": ("acronym", "STEP-2")}


def valid(resource: str, **changes) -> dict:
    body = copy.deepcopy(VALID[resource])
    body.update(changes)
    return body
