"""The WebRTC softphone's words (``/static/agent_softphone.js``): key -> English msgid.

:mod:`app.pages.console_labels` adds them to the console's ``ui`` labels, so that they come
from the Babel catalogs like every other word of the console.
"""

from __future__ import annotations

SOFTPHONE_UI: dict[str, str] = {
    "sipPhone": "Phone line",
    "sipRegistering": "connecting…",
    "sipRegistered": "registered",
    "sipUnregistered": "not registered",
    "sipFailed": "registration failed (%(reason)s)",
    "sipNoConnection": "no connection to the phone server",
    "sipDevices": "Audio devices",
    "sipInput": "Microphone",
    "sipOutput": "Speaker",
    "sipDefaultDevice": "Browser default",
    "sipNoSinkChoice": "This browser plays calls on its default speaker.",
    "sipNoMediaDevices": "This browser cannot use a microphone (the page needs https or localhost).",
    "sipMicRefused": "Microphone access was refused. Allow the microphone for this site in the browser's site settings, then reload the page, to take calls.",
    "sipMicMissing": "No microphone was found. Connect a headset to take calls.",
    "sipMicError": "The microphone could not be opened (%(reason)s)",
    "sipRinging": "call ringing from %(from)s",
    "sipCalling": "calling %(from)s",
    "sipTalking": "voice connected with %(from)s",
    "sipHeld": "call with %(from)s on hold",
    "sipEnded": "call ended (%(cause)s)",
    "sipNoTarget": "No phone address for %(target)s",
    "sipTransferSent": "call handed to %(target)s",
    "sipTransferFailed": "the transfer failed (%(reason)s)",
}
