"""The JSON API under ``/api``: one router module per resource, problems in :mod:`app.api.errors`."""
