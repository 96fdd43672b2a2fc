"""Importers of call history into the event log (``contactops import SOURCE FILE``).

Each source module turns a file's rows into :mod:`routing.events` events per call; the CLI
(:mod:`app.cli.importer`) stores them with :meth:`app.eventlog.SqlEventStore.append`, the
live center's path, so the interaction rows are those the live center would write.
"""
