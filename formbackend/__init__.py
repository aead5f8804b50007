"""The CDG 44's self-hosted form receiver: a small ASGI service over SQLite.

It receives the site's forms (``POST /f/{form}``), checks them against
content/forms.yaml (the same definitions the site renders, read through the
domain package ``offer``), stores them durably in SQLite, queues e-mails in an
outbox, and offers a back-office under /admin plus a command line
(``python -m formbackend --help``).

Rooms, by job: ``intake`` (receiving a submission), ``registrations``,
``store`` (SQLite, schema), ``mail`` (composing, delivering), ``backoffice``
(/admin and exports); ``app`` wires them, ``settings`` reads the environment.
"""

__all__ = ["create_app"]


def __getattr__(name):
    # Lazy, so that ``python -m formbackend --help`` does not import Starlette.
    if name == "create_app":
        from formbackend.app import create_app

        return create_app
    raise AttributeError(name)
