"""Robot SIP agents for load tests: many small SIP user agents on one asyncio loop.

Each :class:`RobotAgent` owns one UDP socket on loopback, registers its account with the
proxy (digest auth, RFC 2617/7616 MD5, computed from the account's HA1 as the suite stores it:
no plain password is needed), and plays an agent's phone: an INVITE is answered with
``180 Ringing`` at once and ``200 OK`` (with a minimal SDP, no media) after
``ring_seconds``; once the caller's ACK arrives the robot hangs up with a BYE after
``talk_seconds``. A CANCEL before the answer gets ``200`` and the INVITE ``487``; a BYE from
the caller gets ``200``; an INVITE while in a call gets ``486 Busy Here``. Every call leaves
one :class:`RobotCall` record (when the INVITE came, when the robot answered, how it ended),
which the load test and ``benchmarks/bench_sip_ringing.py`` read.

Why Python robots rather than one SIPp UAS per agent: one process and one loop hold a
hundred agents (SIPp would need a process, a port and a REGISTER scenario per agent), the
digest comes from the stored HA1 (SIPp's ``-au/-ap`` needs the plain password), and the
per-call timestamps come for free. At 20 calls/s a robot fleet handles ~100 SIP messages a
second, far below what one asyncio loop does on loopback.

Retransmissions follow RFC 3261 timers on a small scale: the 200 OK to an INVITE is resent
(T1 = 0.5 s, doubling to T2 = 4 s) until the ACK, a BYE until its answer (at most 7 tries).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

#: RFC 3261 timer T1 and T2 (seconds)
T1 = 0.5
T2 = 4.0
#: compact header forms (RFC 3261 section 7.3.3) -> full names, lower-case
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "k": "supported", "s": "subject", "e": "content-encoding"}

Outcome = Literal["ringing", "answered", "talking", "ended", "cancelled", "busy"]


@dataclass(frozen=True)
class RobotAccount:
    """A digest account: ``username`` at ``realm`` (also the AOR's domain), with its HA1."""

    username: str
    realm: str
    ha1: str


@dataclass
class RobotCall:
    """One call a robot received; times are ``time.monotonic()`` seconds."""

    call_id: str
    agent: str
    caller: str
    invite_at: float
    answered_at: float | None = None
    ended_at: float | None = None
    outcome: Outcome = "ringing"
    hung_up_by: Literal["robot", "caller", ""] = ""


@dataclass
class SipMessage:
    """A parsed SIP message: a request (``method``, ``uri``) or a response (``status``)."""

    first_line: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return not self.first_line.startswith("SIP/2.0")

    @property
    def method(self) -> str:
        return self.first_line.split(" ", 1)[0] if self.is_request else self.cseq[1]

    @property
    def status(self) -> int:
        return 0 if self.is_request else int(self.first_line.split(" ", 2)[1])

    @property
    def cseq(self) -> tuple[int, str]:
        number, method = self.get("cseq").split()
        return int(number), method

    def get(self, name: str) -> str:
        return next((v for k, v in self.headers if k == name), "")

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name]


def parse(data: bytes) -> SipMessage:
    """One SIP message from a datagram (header names lower-case, compact forms expanded)."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # folded header line
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
            continue
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers.append((COMPACT.get(key, key), value.strip()))
    return SipMessage(lines[0], headers, body)


def render(first_line: str, headers: Sequence[tuple[str, str]], body: bytes = b"") -> bytes:
    """A SIP message as bytes, with Content-Length."""
    lines = [first_line, *(f"{k}: {v}" for k, v in headers), f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def digest_response(ha1: str, method: str, uri: str, challenge: str,
                    cnonce: str, nc: str = "00000001") -> str:
    """The ``Authorization`` value answering ``challenge`` (a WWW-/Proxy-Authenticate value).

    RFC 2617: HA2 = md5(method:uri); with ``qop=auth`` response = md5(HA1:nonce:nc:cnonce:auth:HA2),
    without qop response = md5(HA1:nonce:HA2).
    """
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge.partition(" ")[2]))
    realm, nonce = params["realm"], params["nonce"]
    ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
    qop = "auth" if "auth" in params.get("qop", "").split(",") else ""
    if qop:
        response = hashlib.md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}".encode()).hexdigest()
    else:
        response = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
    parts = [f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"', f'response="{response}"',
             'algorithm=MD5']
    if qop:
        parts += [f"qop={qop}", f"nc={nc}", f'cnonce="{cnonce}"']
    if "opaque" in params:
        parts.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(parts)


def _tag() -> str:
    return secrets.token_hex(6)


def _uri_host_port(uri: str) -> tuple[str, int]:
    """Host and port of a SIP URI (``<sip:user@host:port;params>``; port 5060 when absent)."""
    found = re.search(r"sips?:(?:[^@;>]*@)?([^;>:]+)(?::(\d+))?", uri)
    if not found:
        raise ValueError(f"not a SIP URI: {uri!r}")
    return found.group(1), int(found.group(2) or 5060)


SDP = (b"v=0\r\no=robot 1 1 IN IP4 127.0.0.1\r\ns=robot\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       b"m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")


@dataclass
class _Dialog:
    """A call in hand: the INVITE, our To tag, and the tasks that answer and hang up."""

    invite: SipMessage
    source: tuple[str, int]
    to_tag: str
    record: RobotCall
    answer_task: asyncio.Task[None] | None = None
    resend_task: asyncio.Task[None] | None = None
    bye_task: asyncio.Task[None] | None = None
    final: bytes = b""
    confirmed: bool = False


class RobotAgent(asyncio.DatagramProtocol):
    """One robot agent's phone (module docstring)."""

    def __init__(self, account: RobotAccount, proxy: tuple[str, int], *, ring_seconds: float,
                 talk_seconds: float, calls: list[RobotCall],
                 on_call: Callable[[RobotCall], Awaitable[None] | None] | None = None) -> None:
        self.account = account
        self.proxy = proxy
        self.ring_seconds = ring_seconds
        self.talk_seconds = talk_seconds
        self.calls = calls
        self.on_call = on_call
        self.transport: asyncio.DatagramTransport | None = None
        self.port = 0
        self.dialog: _Dialog | None = None
        self.cseq = itertools.count(1)
        self.pending: dict[str, asyncio.Future[SipMessage]] = {}  # branch -> response
        self.registered = False
        self.errors: list[str] = []

    # --- transport ------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)
        self.port = transport.get_extra_info("sockname")[1]

    def send(self, data: bytes, to: tuple[str, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(data, to)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not data.strip():
            return  # keep-alive
        try:
            msg = parse(data)
            if msg.is_request:
                self.on_request(msg, addr)
            else:
                branch = re.search(r"branch=([^;,\s]+)", msg.get("via"))
                waiter = self.pending.get(branch.group(1) if branch else "")
                if waiter is not None and not waiter.done() and msg.status >= 200:
                    waiter.set_result(msg)
        except Exception as exc:  # noqa: BLE001 - a robot never dies of one bad datagram
            self.errors.append(f"{type(exc).__name__}: {exc}")

    @property
    def contact(self) -> str:
        return f"<sip:{self.account.username}@127.0.0.1:{self.port}>"

    def via(self, branch: str) -> str:
        return f"SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch};rport"

    # --- requests we send -------------------------------------------------------------------------
    async def request(self, first_line: str, headers: list[tuple[str, str]], to: tuple[str, int],
                      body: bytes = b"", tries: int = 7) -> SipMessage:
        """Send a non-INVITE request (new branch), resend on T1..T2, return its final answer."""
        branch = "z9hG4bK" + secrets.token_hex(8)
        future: asyncio.Future[SipMessage] = asyncio.get_running_loop().create_future()
        self.pending[branch] = future
        data = render(first_line, [("Via", self.via(branch)), *headers], body)
        try:
            interval = T1
            for _ in range(tries):
                self.send(data, to)
                with contextlib.suppress(TimeoutError):
                    return await asyncio.wait_for(asyncio.shield(future), interval)
                interval = min(interval * 2, T2)
            raise TimeoutError(f"{first_line}: no answer from {to}")
        finally:
            self.pending.pop(branch, None)

    async def register(self, expires: int = 3600) -> None:
        """REGISTER (answering the digest challenge) for ``expires`` seconds; 0 unregisters."""
        acc = self.account
        aor = f"sip:{acc.username}@{acc.realm}"
        uri = f"sip:{acc.realm}"
        call_id, from_tag = secrets.token_hex(8), _tag()
        auth: list[tuple[str, str]] = []
        for _attempt in range(2):
            headers = [("Max-Forwards", "70"), ("From", f"<{aor}>;tag={from_tag}"),
                       ("To", f"<{aor}>"), ("Call-ID", call_id),
                       ("CSeq", f"{next(self.cseq)} REGISTER"), ("Contact", self.contact),
                       ("Expires", str(expires)), ("User-Agent", "contactops robot"), *auth]
            answer = await self.request(f"REGISTER {uri} SIP/2.0", headers, self.proxy)
            if answer.status in (401, 407):
                name = "www-authenticate" if answer.status == 401 else "proxy-authenticate"
                value = digest_response(acc.ha1, "REGISTER", uri, answer.get(name),
                                        cnonce=secrets.token_hex(8))
                value = value.replace("Digest ", f'Digest username="{acc.username}", ', 1)
                auth = [("Authorization" if answer.status == 401 else "Proxy-Authorization", value)]
                continue
            if answer.status != 200:
                raise RuntimeError(f"{acc.username}: REGISTER answered {answer.first_line}")
            self.registered = expires > 0
            return
        raise RuntimeError(f"{acc.username}: REGISTER refused after the digest")

    # --- requests we receive ----------------------------------------------------------------------
    def reply(self, req: SipMessage, addr: tuple[str, int], status: int, reason: str,
              to_tag: str = "", extra: Iterable[tuple[str, str]] = (), body: bytes = b"") -> bytes:
        """Send a response to ``req`` (its Via, From, To (+ tag), Call-ID, CSeq, Record-Route)."""
        to = req.get("to")
        if to_tag and ";tag=" not in to:
            to = f"{to};tag={to_tag}"
        headers = [*(("Via", v) for v in req.all("via")), ("From", req.get("from")), ("To", to),
                   ("Call-ID", req.get("call-id")), ("CSeq", req.get("cseq"))]
        if req.method == "INVITE":
            headers += [("Record-Route", rr) for rr in req.all("record-route")]
        headers += list(extra)
        data = render(f"SIP/2.0 {status} {reason}", headers, body)
        self.send(data, addr)  # back to the hop it came from (the proxy), as its Via asks
        return data

    def on_request(self, req: SipMessage, addr: tuple[str, int]) -> None:
        method = req.method
        dialog = self.dialog
        same_call = dialog is not None and req.get("call-id") == dialog.invite.get("call-id")
        if method == "INVITE":
            if same_call and dialog is not None:  # a retransmission, or a re-INVITE
                if req.cseq == dialog.invite.cseq:
                    self.send(dialog.final or self.ringing(dialog), addr)
                else:
                    self.reply(req, addr, 200, "OK", dialog.to_tag,
                               [("Contact", self.contact), ("Content-Type", "application/sdp")], SDP)
                return
            if dialog is not None:
                self.reply(req, addr, 486, "Busy Here", _tag())
                self.calls.append(RobotCall(req.get("call-id"), self.account.username,
                                            req.get("from"), time.monotonic(), outcome="busy"))
                return
            self.take(req, addr)
        elif method == "ACK":
            if same_call and dialog is not None and dialog.final and not dialog.confirmed:
                dialog.confirmed = True
                if dialog.resend_task:
                    dialog.resend_task.cancel()
                if dialog.record.outcome == "answered":
                    dialog.record.outcome = "talking"
                    dialog.bye_task = asyncio.ensure_future(self.hang_up_later(dialog))
        elif method == "CANCEL":
            self.reply(req, addr, 200, "OK", dialog.to_tag if same_call and dialog else _tag())
            if same_call and dialog is not None and not dialog.final:
                if dialog.answer_task:
                    dialog.answer_task.cancel()
                dialog.final = self.reply(dialog.invite, dialog.source, 487, "Request Terminated",
                                          dialog.to_tag)
                self.finish(dialog, "cancelled", "caller")
        elif method == "BYE":
            self.reply(req, addr, 200, "OK")
            if same_call and dialog is not None:
                if dialog.bye_task:
                    dialog.bye_task.cancel()
                self.finish(dialog, "ended", "caller")
        elif method in ("OPTIONS", "NOTIFY", "INFO", "UPDATE"):
            self.reply(req, addr, 200, "OK", _tag())
        else:
            self.reply(req, addr, 405, "Method Not Allowed", _tag())

    def ringing(self, dialog: _Dialog) -> bytes:
        return self.reply(dialog.invite, dialog.source, 180, "Ringing", dialog.to_tag,
                          [("Contact", self.contact)])

    def take(self, invite: SipMessage, addr: tuple[str, int]) -> None:
        """A new call: ring at once, answer after ``ring_seconds``."""
        record = RobotCall(invite.get("call-id"), self.account.username, invite.get("from"),
                           time.monotonic())
        self.calls.append(record)
        dialog = _Dialog(invite, addr, _tag(), record)
        self.dialog = dialog
        self.ringing(dialog)
        dialog.answer_task = asyncio.ensure_future(self.answer_later(dialog))
        self.notify(record)

    async def answer_later(self, dialog: _Dialog) -> None:
        await asyncio.sleep(self.ring_seconds)
        if self.dialog is not dialog or dialog.final:
            return
        dialog.final = self.reply(dialog.invite, dialog.source, 200, "OK", dialog.to_tag,
                                  [("Contact", self.contact), ("Content-Type", "application/sdp")],
                                  SDP)
        dialog.record.answered_at = time.monotonic()
        dialog.record.outcome = "answered"
        self.notify(dialog.record)
        dialog.resend_task = asyncio.ensure_future(self.resend_until_ack(dialog))

    async def resend_until_ack(self, dialog: _Dialog) -> None:
        interval = T1
        waited = 0.0
        while waited < 64 * T1:
            await asyncio.sleep(interval)
            waited += interval
            if dialog.confirmed or self.dialog is not dialog:
                return
            self.send(dialog.final, dialog.source)
            interval = min(interval * 2, T2)
        self.errors.append(f"{dialog.record.call_id}: no ACK for the 200 OK")
        self.finish(dialog, "ended", "robot")

    async def hang_up_later(self, dialog: _Dialog) -> None:
        """BYE after the talk time, along the route set the INVITE's Record-Route made."""
        await asyncio.sleep(self.talk_seconds)
        if self.dialog is not dialog:
            return
        invite = dialog.invite
        routes = invite.all("record-route")
        route_set = [r.strip() for value in routes for r in value.split(",")]
        remote = re.search(r"<([^>]+)>", invite.get("contact")) or re.search(r"(sip:\S+)",
                                                                             invite.get("contact"))
        target = remote.group(1) if remote else invite.first_line.split()[1]
        to_uri = route_set[0] if route_set and ";lr" in route_set[0] else f"<{target}>"
        local = invite.get("to")
        if ";tag=" not in local:
            local = f"{local};tag={dialog.to_tag}"
        headers = [("Max-Forwards", "70"), ("From", local), ("To", invite.get("from")),
                   ("Call-ID", invite.get("call-id")), ("CSeq", f"{next(self.cseq)} BYE"),
                   *(("Route", r) for r in route_set)]
        self.finish(dialog, "ended", "robot")
        try:
            await self.request(f"BYE {target} SIP/2.0", headers, _uri_host_port(to_uri))
        except TimeoutError as exc:
            self.errors.append(str(exc))

    def finish(self, dialog: _Dialog, outcome: Outcome, by: Literal["robot", "caller"]) -> None:
        if self.dialog is not dialog:
            return
        self.dialog = None
        dialog.record.outcome = outcome
        dialog.record.ended_at = time.monotonic()
        dialog.record.hung_up_by = by
        self.notify(dialog.record)

    def notify(self, record: RobotCall) -> None:
        if self.on_call is None:
            return
        result = self.on_call(record)
        if asyncio.iscoroutine(result):
            asyncio.ensure_future(result)


@dataclass
class RobotFleet:
    """Many robot agents on one loop: :meth:`start` binds and registers them all."""

    accounts: Sequence[RobotAccount]
    proxy: tuple[str, int]
    ring_seconds: float = 0.5
    talk_seconds: float = 2.0
    on_call: Callable[[RobotCall], Awaitable[None] | None] | None = None
    calls: list[RobotCall] = field(default_factory=list)
    agents: list[RobotAgent] = field(default_factory=list)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for account in self.accounts:
            agent = RobotAgent(account, self.proxy, ring_seconds=self.ring_seconds,
                               talk_seconds=self.talk_seconds, calls=self.calls,
                               on_call=self.on_call)
            await loop.create_datagram_endpoint(lambda a=agent: a, local_addr=("127.0.0.1", 0))  # type: ignore[misc]
            self.agents.append(agent)
        await asyncio.gather(*(a.register() for a in self.agents))

    async def stop(self) -> None:
        """Unregister (best effort) and close every socket."""
        await asyncio.gather(*(a.register(expires=0) for a in self.agents if a.registered),
                             return_exceptions=True)
        for agent in self.agents:
            if agent.transport is not None:
                agent.transport.close()

    @property
    def errors(self) -> list[str]:
        return [e for a in self.agents for e in a.errors]
