"""Top-level services: each runs in its own durable transaction, never nested by accident.

A *top-level* service is one that views, tasks, management commands or the
API call: when it returns, what it did is committed.  ``@top_level`` runs the
whole service in ``transaction.atomic(durable=True)``, so calling it inside
another transaction raises ``RuntimeError`` instead of silently becoming a
savepoint of a transaction that may still roll back (and take the outbox
row, the audit row or the stored file's row with it).

A service that first does slow work outside any transaction (reading an
upload, checking a signature: under SQLite's IMMEDIATE transactions a
transaction holds the write lock) uses ``@top_level(atomic=False)`` and opens
``durable()`` itself around its database work; it refuses a surrounding
transaction on entry all the same.

One transaction made of several services (a copy creating drafts, an edit
saving the header and a line) calls their ``.within`` form: the same body
without a transaction of its own, for a caller that already opened one.

Every decorated service is listed in ``TOP_LEVEL`` (tests check the rule holds).
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connections, transaction

#: "module.function" -> the decorated service.
TOP_LEVEL: dict[str, object] = {}


def durable(using=None):
    """The transaction of a top-level service (``transaction.atomic(durable=True)``)."""
    return transaction.atomic(using=using, durable=True)


def refuse_nesting(using=None) -> None:
    """Raise RuntimeError inside an open transaction, as a durable block does (Django's
    own test cases mark their transactions so that tests may still call services)."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    if connection.atomic_blocks and not connection.atomic_blocks[-1]._from_testcase:
        raise RuntimeError(
            "A top-level service cannot be called inside another transaction "
            "(it runs in a durable atomic block)."
        )


def top_level(func=None, *, atomic: bool = True):
    """Mark a top-level service; see the module's docstring."""

    def decorate(body):
        if atomic:
            wrapped = functools.wraps(body)(durable()(body))
            wrapped.within = body
        else:

            @functools.wraps(body)
            def wrapped(*args, **kwargs):
                refuse_nesting()
                return body(*args, **kwargs)

        wrapped.durable = True
        TOP_LEVEL[f"{body.__module__}.{body.__qualname__}"] = wrapped
        return wrapped

    return decorate(func) if func is not None else decorate
