"""The WebRTC softphone's words (``/static/agent_softphone.js``): key -> English msgid.

:mod:`app.pages.console_labels` adds them to the console's ``ui`` labels, so that they come
from the Babel catalogs like every other word of the console.
"""

from __future__ import annotations

#: JsSIP's failure causes (``JsSIP.C.causes`` of the vendored jssip.min.js: the ``cause`` of a
#: ``registrationFailed``, a session's ``failed`` / ``ended`` and a REFER's ``failed``) ->
#: English msgid. The script shows ``cause:<JsSIP cause>``; a cause not listed here (a newer
#: JsSIP) reads as ``sipCauseUnknown`` with the raw cause in parentheses.
SIP_CAUSES: dict[str, str] = {
    "Connection Error": "no connection to the phone server",
    "Request Timeout": "the phone server did not answer in time",
    "SIP Failure Code": "the phone server refused the request",
    "Internal Error": "the browser phone failed",
    "Busy": "the line is busy",
    "Rejected": "the call was rejected",
    "Redirected": "the call was redirected",
    "Unavailable": "the other party is unavailable",
    "Not Found": "no such phone number",
    "Address Incomplete": "the phone address is incomplete",
    "Incompatible SDP": "the audio formats do not match",
    "Missing SDP": "the call carried no audio description",
    "Authentication Error": "the phone password was refused",
    "Terminated": "hung up",
    "WebRTC Error": "the browser could not set up the audio",
    "Canceled": "cancelled before the answer",
    "No Answer": "nobody answered",
    "Expires": "the call offer expired",
    "No ACK": "the call was not confirmed",
    "Dialog Error": "the call's dialog was lost",
    "User Denied Media Access": "microphone access was refused",
    "Bad Media Description": "the audio description was invalid",
    "RTP Timeout": "no audio came for too long",
}

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
    "sipCallFailed": "call failed: %(reason)s",
    "sipRefusedCode": "the phone server refused (code %(code)s)",
    "sipCauseUnknown": "phone error (%(cause)s)",
    **{f"cause:{cause}": msgid for cause, msgid in SIP_CAUSES.items()},
}
