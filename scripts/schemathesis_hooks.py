"""schemathesis hooks for scripts/schemathesis.sh (named in scripts/schemathesis.toml).

What they add to schemathesis' own generation and checks, so the run reaches past 404s and
past the second factor, and checks what the schema cannot say:

- **Real ids** (``before_call``): the script lists, through the API and with the token each
  operation runs with, the demo's application numbers, goods-line, attachment and notice ids,
  certificate numbers... per path template (``API_FUZZ_IDS``, a JSON file: template -> list
  of consistent path parameters, e.g. a line id with the number of its own application;
  "METHOD template" for an operation that needs narrower ones, e.g. the drafts for changes).
  Every other positive case of an operation with such a template is sent with the next
  record (cycling through them); the rest keep what schemathesis generated (its 404s and
  boundary values).  Negative cases keep their invalid values.
- **The second factor on submit** (``before_call``): every ``…/submit`` carries a valid
  ``X-Second-Factor``: the demo owner's TOTP (the README's fixed secret,
  ``API_FUZZ_TOTP_SECRET``) computed with django_otp's own ``TOTP``.  django_otp accepts
  a code once (``last_t``) within one step of its clock (``drift``, which it re-syncs on
  every accepted code), so the code is the one for the first step the device still
  accepts, read from its row in the run's own SQLite database (``PORTAL_SQLITE_PATH``):
  each submit then passes, however many come within one 30 s step.  Without this,
  schemathesis' own header values are wrong codes, and django_otp's throttle soon refuses
  every code.
- **Object-level authorization** (``other_party_reads_nothing`` check): every ``GET`` with
  path parameters that answered 200 is sent once more, same address, with the token of
  someone who must not see it: for the enterprise side the owner of another enterprise
  (``API_FUZZ_INTRUDER_TOKEN``), for an approver's side an approver of another system's
  authority (``API_FUZZ_PEER_<SLUG>``); the answer must be 404 (403 from an
  approver without a seat in that system, where the operation checks the seat first).
- **Reach** (``after_call``): each operation's status codes, written at exit to
  ``API_FUZZ_REACH`` (the script prints which operations never answered 2xx).

Two failures are not the portal's.  Daphne serves the portal on Twisted, and Twisted's HTTP
server parses a ``multipart/form-data`` POST body itself before any application sees the
request; a body it cannot parse (a multipart with no part at all) it answers with a bare
``400 Bad Request``: no Content-Type, no body, nothing in the portal's log.  The 400 is
documented on the upload operations; the missing JSON body is Twisted's, so that one
response is dropped from the failures (``filter_failure``).  Any response of the portal
itself carries its Content-Type (the JSON error body), so nothing the portal answers is
hidden.  And a type "violated" inside a multipart form field (see ``filter_failure``).
"""

import atexit
import base64
import collections
import contextlib
import itertools
import json
import os
import sqlite3
import threading
import urllib.error
import urllib.request

import schemathesis
from django_otp.oath import TOTP
from schemathesis.core.parameters import ParameterLocation

_lock = threading.Lock()


def _load_ids() -> dict:
    path = os.environ.get("API_FUZZ_IDS")
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


IDS = _load_ids()
_calls = collections.defaultdict(itertools.count)


def _template(case) -> str:
    return case.operation.full_path


def _real_ids(case) -> None:
    records = IDS.get(f"{case.method.upper()} {_template(case)}") or IDS.get(_template(case))
    if not records:
        return
    meta = case._meta
    if meta is not None and meta.is_negative_at(ParameterLocation.PATH):
        return
    with _lock:
        n = next(_calls[(case.method, _template(case))])
    if n % 2:
        return
    case.path_parameters = {**(case.path_parameters or {}), **records[(n // 2) % len(records)]}


def _device_state() -> tuple[int, int] | None:
    """(last_t, drift) of the submitting user's confirmed TOTP device, or None."""
    db = os.environ.get("PORTAL_SQLITE_PATH")
    user = os.environ.get("API_FUZZ_TOTP_USER")
    if not (db and user):
        return None
    with contextlib.closing(
        sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    ) as connection:
        row = connection.execute(
            "SELECT d.last_t, d.drift FROM otp_totp_totpdevice d"
            " JOIN accounts_user u ON u.id = d.user_id"
            " WHERE u.username = ? AND d.confirmed",
            (user,),
        ).fetchone()
    return row


def second_factor_code() -> str | None:
    secret = os.environ.get("API_FUZZ_TOTP_SECRET")
    state = _device_state()
    if not secret or state is None:
        return None
    last_t, drift = state
    totp = TOTP(base64.b32decode(secret), drift=drift)
    # The device accepts steps in [now + drift - 1, now + drift + 1] above last_t; its
    # centre (or the step after the last one taken) leaves room for a step boundary
    # passing before the portal checks it.
    step = max(last_t + 1, totp.t())
    totp.drift += step - totp.t()
    return str(totp.token()).zfill(totp.digits)


@schemathesis.hook
def before_call(context, case, kwargs):
    _real_ids(case)
    meta = case._meta
    # A negative header case (a header left out on purpose) is sent as generated: an edit
    # here would make it positive again and put the left-out header back.
    if meta is not None and meta.is_negative_at(ParameterLocation.HEADER):
        return
    if _template(case).endswith("/submit"):
        with _lock:
            code = second_factor_code()
        if code is not None:
            case.headers = {**(case.headers or {}), "X-Second-Factor": code}


# --- reach ---------------------------------------------------------------------------------

_statuses: dict[str, set[int]] = collections.defaultdict(set)


@schemathesis.hook
def after_call(context, case, response):
    if case.method.upper() != case.operation.method.upper():
        return  # schemathesis' probe of a method the path does not declare (405)
    with _lock:
        _statuses[f"{case.method.upper()} {_template(case)}"].add(response.status_code)


def _write_reach() -> None:
    path = os.environ.get("API_FUZZ_REACH")
    if path:
        with open(path, "w") as f:
            statuses = {k: sorted(v) for k, v in sorted(_statuses.items())}
            json.dump({"statuses": statuses, "probes": len(_probed)}, f, indent=1)


atexit.register(_write_reach)


# --- object-level authorization ------------------------------------------------------------

_probed: set[str] = set()


def _other_party(template: str) -> tuple[str | None, set[int]]:
    """The token of someone who must not read what this template's 200 showed, and what
    it may answer: another enterprise's owner gets 404 (as if absent); an approver
    without a seat in the system 404, or 403 where the operation refuses the seat first."""
    parts = template.split("/")  # "", "api", "v1", slug, ...
    if len(parts) < 5 or "/regulated/" in template:
        return None, set()
    if parts[4] == "review":
        slug = parts[3].upper().replace("-", "_")
        return os.environ.get(f"API_FUZZ_PEER_{slug}"), {403, 404}
    return os.environ.get("API_FUZZ_INTRUDER_TOKEN"), {404}


@schemathesis.check
def other_party_reads_nothing(ctx, response, case):
    """A read that answered 200 answers 404 to another enterprise (or another authority's
    approver): every query is scoped by the same selectors as the web."""
    if case.method.upper() != "GET" or response.status_code != 200 or not case.path_parameters:
        return None
    token, expected = _other_party(_template(case))
    url = response.request.url
    with _lock:
        if token is None or url in _probed:
            return None
        _probed.add(url)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status not in expected:
        raise AssertionError(
            f"Another party's token got {status} (expected {sorted(expected)}) on GET {url}, "
            "which the operation's own token read"
        )
    return None


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    multipart = (case.media_type or "").startswith("multipart/form-data")
    bare_server_400 = (
        response.status_code == 400
        and not response.content
        and "content-type" not in response.headers
        and multipart
    )
    # A form field carries text only: the boolean, number or null schemathesis puts in a
    # multipart field "against its string type" reaches the server as the text "false",
    # "1.5", "null": a valid string.  Only such type violations are dropped; a missing
    # required field or a wrong file part is still reported.
    violations = [line for line in str(failure.message).splitlines() if "violates `" in line]
    multipart_text_types = (
        multipart
        and getattr(failure, "code", None) == "ST201"
        and bool(violations)
        and all("violates `type`" in line for line in violations)
    )
    return not (bare_server_400 or multipart_text_types)
