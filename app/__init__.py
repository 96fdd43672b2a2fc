"""The FastAPI service: settings, database, REST API, websockets, pages, auth and CLI."""
