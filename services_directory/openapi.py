"""The OpenAPI 3 description of the directory's read API, served at /api/openapi.json.

Other signposting sites build on this; the schemathesis test
(tests/webfront/test_read_api_openapi.py) checks the running API against it, so the two
cannot drift apart unnoticed. Objects allow extra properties: a field added later is not a break.
"""

from __future__ import annotations

from typing import Any

from services_directory.vocabulary import TOPICS


def _string(nullable: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": "string", **({"nullable": True} if nullable else {}), **extra}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None,
            nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }
    if nullable:
        schema["nullable"] = True
    return schema


_DATE = _string(nullable=True, format="date")
_ERROR = _object({"error": _string()})


def _components() -> dict[str, Any]:
    organization = _object({
        "id": _string(), "name": _string(), "alternate_name": _string(True),
        "description": _string(True), "email": _string(True), "website": _string(True),
    }, nullable=True)
    phone = _object({
        "id": _string(), "number": _string(), "extension": _string(True), "type": _string(True),
        "description": _string(True), "last_verified": _DATE,
    })
    area = _object({
        "id": _string(), "scope": _string(enum=["borough", "london", "national"]),
        "borough_code": _string(True), "name": _string(), "description": _string(True),
    })
    term = _object({
        "id": _string(), "code": _string(), "name": _string(), "description": _string(True),
        "taxonomy": _string(True),
    })
    eligibility = _object({
        "gender": _string(True), "minimum_age": {"type": "integer", "nullable": True},
        "maximum_age": {"type": "integer", "nullable": True},
        "audiences": {"type": "array", "items": _string()},
        "audience_restricted": {"type": "boolean"}, "description": _string(True),
    }, nullable=True)
    language = _object({"id": _string(), "name": _string(), "code": _string(True),
                        "note": _string(True)})
    schedule = _object({
        "id": _string(), "byday": _string(True), "opens_at": _string(True),
        "closes_at": _string(True), "is_24_hours": {"type": "boolean"},
        "description": _string(True),
    })
    location = _object({
        "id": _string(), "name": _string(), "description": _string(True),
        "address_1": _string(True), "city": _string(True), "postal_code": _string(True),
        "borough_code": _string(True), "latitude": {"type": "number", "nullable": True},
        "longitude": {"type": "number", "nullable": True},
    })
    service_at_location = _object({"id": _string(), "description": _string(True),
                                   "location": {"$ref": "#/components/schemas/Location"}})
    service = _object({
        "id": _string(), "name": _string(), "alternate_name": _string(True),
        "description": _string(True), "url": _string(True), "email": _string(True),
        "status": _string(), "source": _string(True), "last_verified": _DATE,
        "organization": {"$ref": "#/components/schemas/Organization"},
        "phones": {"type": "array", "items": {"$ref": "#/components/schemas/Phone"}},
        "service_areas": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceArea"}},
        "taxonomy_terms": {"type": "array",
                           "items": {"$ref": "#/components/schemas/TaxonomyTerm"}},
        "eligibility": {"$ref": "#/components/schemas/Eligibility"},
        "languages": {"type": "array", "items": {"$ref": "#/components/schemas/Language"}},
        "schedules": {"type": "array", "items": {"$ref": "#/components/schemas/Schedule"}},
        "service_at_locations": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/ServiceAtLocation"}},
    })
    page = _object({
        "total_items": {"type": "integer", "minimum": 0},
        "total_pages": {"type": "integer", "minimum": 0},
        "page_number": {"type": "integer", "minimum": 1},
        "size": {"type": "integer", "minimum": 1},
        "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}},
    })
    return {
        "Organization": organization, "Phone": phone, "ServiceArea": area,
        "TaxonomyTerm": term, "Eligibility": eligibility, "Language": language,
        "Schedule": schedule, "Location": location, "ServiceAtLocation": service_at_location,
        "Service": service, "ServicePage": page, "Error": _ERROR,
    }


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def openapi_document(*, max_per_page: int, max_page: int, max_text: int,
                     default_per_page: int) -> dict[str, Any]:
    """The document; limits come from the API module so the description states the real ones."""
    errors = {
        "400": _json("Error", "A parameter the caller can fix; the message says how."),
        "429": _json("Error", "Too many requests from this address; try again shortly."),
        "503": _json("Error", "The directory is unavailable; try again shortly."),
    }
    text = {"type": "string", "maxLength": max_text}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Signpost London service directory",
            "version": "1",
            "description": (
                "Domestic abuse and VAWG support services in London, in the Open Referral UK "
                "(HSDS 3.0) style. Read only. Confidential locations (refuges) are never served."
            ),
            "license": {"name": "Open Government Licence v3.0 (postcode data); MIT (code)"},
        },
        "paths": {
            "/api/services": {"get": {
                "operationId": "listServices",
                "summary": "One page of active services, local ones first when a place is given.",
                "parameters": [
                    {"name": "taxonomy_term", "in": "query", "required": False,
                     "description": f"A topic name or term id: one of {', '.join(TOPICS)}.",
                     "schema": text},
                    {"name": "postcode", "in": "query", "required": False,
                     "description": "A postcode, postcode district, borough or London neighbourhood.",
                     "schema": text},
                    {"name": "page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": max_page,
                                "default": 1}},
                    {"name": "per_page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": max_per_page,
                                "default": default_per_page}},
                ],
                "responses": {"200": _json("ServicePage", "A page of services."), **errors},
            }},
            "/api/services/{service_id}": {"get": {
                "operationId": "getService",
                "summary": "One service by id (a closed one too, with its status).",
                "parameters": [{"name": "service_id", "in": "path", "required": True,
                                "schema": {"type": "string", "minLength": 1}}],
                "responses": {
                    "200": _json("Service", "The service."),
                    "404": _json("Error", "No such service."),
                    **errors,
                },
            }},
            "/api/openapi.json": {"get": {
                "operationId": "getOpenApi",
                "summary": "This description.",
                "responses": {"200": {"description": "The OpenAPI document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": _components()},
    }
