"""Every error of the API is one documented JSON body, in Chinese and English:

    {"code": "validation_error",
     "messages": {"zh": ["…"], "en": ["…"]},
     "fields": {"quantity": {"zh": ["…"], "en": ["…"]}}}

``code`` is stable (clients branch on it); ``fields`` is present only for
validation errors that belong to a field.  Messages of forms, model validation and
the declared rules are lazy translations, rendered once per language here; a
service message already rendered in Chinese is looked up in the catalogue for its
English original.
"""

import re
from functools import cache

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from filings.runner import AlreadyHandled

LANGUAGES = {"zh": "zh-hans", "en": "en"}
_CJK = re.compile(r"[\u3400-\u9fff]")


class Messages(Schema):
    zh: list[str]
    en: list[str]


class ErrorOut(Schema):
    """The body of every error response."""

    code: str
    messages: Messages
    fields: dict[str, Messages] | None = None


#: The error responses every operation may give (documented in the schema).
COMMON_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
#: ... and those of an operation that reads a body: 400 when it cannot be read at all.
BODY_ERRORS = {400: ErrorOut, **COMMON_ERRORS}


@cache
def _english_of() -> dict[str, str]:
    """Chinese text -> its English original, from the portal's catalogue."""
    with translation.override(LANGUAGES["zh"]):
        catalog = translation.trans_real.catalog()._catalog
    found = {}
    for msgid, msgstr in catalog.items():
        if isinstance(msgid, str) and isinstance(msgstr, str) and msgstr:
            found.setdefault(msgstr, msgid)
    return found


def in_both(messages) -> dict[str, list[str]]:
    """Each (lazy) message rendered in Chinese and in English."""
    messages = list(messages)
    rendered = {}
    for short, language in LANGUAGES.items():
        with translation.override(language):
            rendered[short] = [str(m) for m in messages]
    english = _english_of()
    rendered["en"] = [
        english.get(en, en) if en == zh and _CJK.search(en) else en
        for zh, en in zip(rendered["zh"], rendered["en"], strict=True)
    ]
    return rendered


class ApiError(Exception):
    """An error the API answers with ``status`` and a bilingual body."""

    def __init__(self, status: int, code: str, *messages, fields=None):
        super().__init__(code)
        self.status, self.code, self.messages, self.fields = status, code, messages, fields


def body(code: str, messages, fields: dict | None = None) -> dict:
    out = {"code": code, "messages": in_both(messages)}
    if fields:
        out["fields"] = {name: in_both(found) for name, found in fields.items()}
    return out


def _validation_messages(error: ValidationError):
    """(messages not tied to a field, {field: messages}) of a Django ValidationError,
    keeping lazy messages lazy (rendered per language by ``in_both``)."""

    def texts(errors):
        for item in errors:
            for sub in item.error_list if hasattr(item, "error_list") else [item]:
                message = sub.message
                if sub.params:
                    yield _Formatted(message, sub.params)
                else:
                    yield message

    if hasattr(error, "error_dict"):
        general, fields = [], {}
        for name, errors in error.error_dict.items():
            if name in ("__all__", None):
                general.extend(texts(errors))
            else:
                fields[name] = list(texts(errors))
        return general, fields
    return list(texts(error.error_list)), {}


class _Formatted:
    """A lazy message with its parameters, formatted in the active language."""

    def __init__(self, message, params):
        self.message, self.params = message, params

    def __str__(self):
        # ``lazy % params``: a plural message (ngettext_lazy) picks its form by a param.
        return str(self.message % self.params)


def validation_error(error: ValidationError, *, prefix: str | None = None) -> ApiError:
    general, fields = _validation_messages(error)
    if prefix:
        fields = {f"{prefix}.{k}": v for k, v in fields.items()}
    if not general:
        general = [_("Check the values marked.")]
    return ApiError(422, "validation_error", *general, fields=fields)


def invalid(**fields) -> ApiError:
    """A 422 naming the fields at fault: ``field=message`` or ``field=[messages]``."""
    fields = {k: v if isinstance(v, list) else [v] for k, v in fields.items()}
    return ApiError(422, "validation_error", _("Check the values marked."), fields=fields)


def form_error(form, *, prefix: str | None = None) -> ApiError:
    """A bound, invalid Django form's errors (the same messages the page shows)."""
    return validation_error(ValidationError(form.errors.as_data()), prefix=prefix)


NOT_FOUND = _("Not found: it does not exist, or it is not yours to see.")


def register(api) -> None:
    """Map every exception the API may meet to the one error body."""

    def respond(request, status, payload):
        return api.create_response(request, payload, status=status)

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return respond(request, exc.status, body(exc.code, exc.messages, exc.fields))

    @api.exception_handler(ValidationError)
    def django_validation(request, exc: ValidationError):
        error = validation_error(exc)
        return respond(request, 422, body(error.code, error.messages, error.fields))

    @api.exception_handler(NinjaValidationError)
    def ninja_validation(request, exc: NinjaValidationError):
        fields: dict[str, list] = {}
        for item in exc.errors:
            loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "form")]
            name = ".".join(loc) or "__all__"
            fields.setdefault(name, []).append(_invalid_value(item))
        general = fields.pop("__all__", None) or [_("The request is not valid.")]
        return respond(request, 422, body("invalid_request", general, fields))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(
            request,
            401,
            body(
                "not_authenticated",
                [_("Send a valid API token: Authorization: Bearer <token>.")],
            ),
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, body("forbidden", [_("You may not do this.")]))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, body("not_found", [NOT_FOUND]))

    @api.exception_handler(AlreadyHandled)
    def already_handled(request, exc):
        return respond(request, 409, body("already_handled", [exc]))

    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        response = respond(
            request,
            429,
            body("throttled", [_("Too many requests with this token: wait and try again.")]),
        )
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    def unreadable(request, exc=None):
        return respond(
            request,
            400,
            body(
                "invalid_request",
                [_("The request could not be read (malformed JSON or form data).")],
            ),
        )

    # Django's own refusals of a body it cannot parse (a multipart body without its
    # boundary, too many fields, more than DATA_UPLOAD_MAX_MEMORY_SIZE): raised when the
    # operation reads the body, so they reach the API, not Django's 400 page.
    for refused in (MultiPartParserError, BadRequest, SuspiciousOperation):
        api.exception_handler(refused)(unreadable)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400:  # ninja: the body could not be parsed
            return unreadable(request)
        return respond(request, exc.status_code, body("http_error", [str(exc)]))


def _invalid_value(item) -> object:
    """A pydantic error as a message: a fixed bilingual sentence naming what was expected
    (pydantic's own text is English only, so it is given as a detail)."""
    return _Detail(_("Invalid value"), item.get("msg", ""))


class _Detail:
    def __init__(self, label, detail):
        self.label, self.detail = label, detail

    def __str__(self):
        return f"{self.label}: {self.detail}" if self.detail else str(self.label)
