"""schemathesis hooks for scripts/schemathesis.sh (named in scripts/schemathesis.toml).

One failure is not the portal's: daphne serves the portal on Twisted, and Twisted's HTTP
server parses a ``multipart/form-data`` POST body itself before any application sees the
request; a body it cannot parse (a multipart with no part at all) it answers with a bare
``400 Bad Request``: no Content-Type, no body, nothing in the portal's log.  The 400 is
documented on the upload operations; the missing JSON body is Twisted's, so that one
response is dropped from the failures.  Any response of the portal itself carries its
Content-Type (the JSON error body), so nothing the portal answers is hidden.
"""

import schemathesis


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    bare_server_400 = (
        response.status_code == 400
        and not response.content
        and "content-type" not in response.headers
        and (case.media_type or "").startswith("multipart/form-data")
    )
    return not bare_server_400
