"""The Kamailio configuration the suite runs behind (``contactops telephony config --out DIR``).

Kamailio 5.6 (Debian ``kamailio``, ``kamailio-websocket-modules``, ``kamailio-utils-modules``
for ``http_client``) is registrar and stateful proxy for ``CONTACTOPS_SIP_DOMAIN``:

* **Listening**: UDP and TCP on ``sip_listen_address:sip_port``, WebSocket (browsers' JsSIP)
  on ``sip_listen_address:sip_ws_port``; nothing else (``auto_aliases=no``, no wildcard).
* **Registration**: SIP digest per agent. The proxy asks the suite for the agent's HA1
  (``POST /api/sip/ha1``, the shared secret in the body), keeps it five minutes in an
  ``htable`` and checks the response with ``pv_www_authenticate`` (flag 1: the password is
  an HA1). The suite never hands out a password: it keeps none.
* **A call to a queue** (``sip:deposits@domain``, from the bank's trunk or a transfer) is held
  while the routing engine decides: ``async_task_route`` suspends the INVITE's transaction and
  an async worker asks the suite (``POST /api/sip/route``), whose answer comes when the engine
  offers the call to an agent (a long poll). The INVITE then goes to that agent's registered
  contact. The agent's 200, the caller's CANCEL, a failed ring and the BYE are
  reported (``POST /api/sip/event``); the suite turns each into the engine's events, the same
  as the built-in telephony's (arrived, queued, offered, answered, ended, abandoned). Reports
  never hold a SIP worker: they go into ``REPORT_DRAINS`` ``mqueue`` queue(s) (by a hash of
  the Call-ID, so one call's reports stay in order), each drained every 10 ms by an ``rtimer``
  process of its own: a slow suite delays its figures, never a CANCEL or a BYE.
* **No open relay**: only the suite's domain is served (403 otherwise); a call straight to an
  agent needs that caller's own digest credentials (an agent calling an agent); anything the
  suite does not know as a queue is 404; only REGISTER, INVITE and in-dialog requests pass.

Run it with ``kamailio -DD -E -f DIR/kamailio.cfg`` (``-DD``: in the foreground; ``-E``: log to
stderr); ``contactops telephony check`` then asks it over JSON-RPC (``/RPC`` on the WebSocket
port) whether it runs and who is registered.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

MODULES_DIR = "/usr/lib/x86_64-linux-gnu/kamailio/modules"
#: how long the proxy holds a call for the engine's decision before it gives up (503)
DEFAULT_HOLD_SECONDS = 600
#: report queues, each with a process posting its reports (a power of two: s.corehash).
#: One is fastest measured (benchmarks/bench_sip_ringing.py, SQLite: INVITE->180 p50 24 ms,
#: p99 132 ms with one; p50 76-2060 ms with four, whose posts contend for the event store);
#: more may pay off on PostgreSQL with several server processes
REPORT_DRAINS = 1
_DOMAIN = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,98}[A-Za-z0-9])?$")
_SECRET = re.compile(r"^[A-Za-z0-9_.~+/=-]{16,200}$")
_URL = re.compile(r"^https?://[A-Za-z0-9.\[\]:-]+(/[A-Za-z0-9._~/-]*)?$")


class ConfigError(ValueError):
    """A setting the configuration cannot be written with (names the setting)."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


@dataclass(frozen=True)
class ProxyConfig:
    """What the generated configuration needs (from :class:`app.settings.Settings`)."""

    domain: str
    listen_address: str
    sip_port: int
    ws_port: int
    suite_url: str
    shared_secret: str
    hold_seconds: int = DEFAULT_HOLD_SECONDS
    modules_dir: str = MODULES_DIR
    children: int = 8
    async_workers: int = 16

    def __post_init__(self) -> None:
        if not _DOMAIN.match(self.domain):
            raise ConfigError("sip_domain", "expected a DNS name such as contactops.local")
        try:
            ipaddress.ip_address(self.listen_address)
        except ValueError:
            raise ConfigError("sip_listen_address",
                              "expected one IP address (the proxy listens nowhere else)") from None
        if ipaddress.ip_address(self.listen_address).is_unspecified:
            raise ConfigError("sip_listen_address", "0.0.0.0 would listen everywhere: name one")
        for name, port in (("sip_port", self.sip_port), ("sip_ws_port", self.ws_port)):
            if not 1 <= port <= 65535:
                raise ConfigError(name, "expected a port 1..65535")
        if self.sip_port == self.ws_port:
            raise ConfigError("sip_ws_port", "must differ from sip_port")
        if not _URL.match(self.suite_url):
            raise ConfigError("sip_suite_url", "expected http(s)://host:port of the suite")
        if not _SECRET.match(self.shared_secret):
            raise ConfigError("sip_shared_secret",
                              "expected 16 to 200 characters of letters, digits or _.~+/=-")
        if not 10 <= self.hold_seconds <= 3600:
            raise ConfigError("hold_seconds", "expected 10..3600")


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def render(cfg: ProxyConfig) -> str:
    """The ``kamailio.cfg`` text for ``cfg``."""
    suite = cfg.suite_url.rstrip("/")
    host = _host(cfg.listen_address)
    return TEMPLATE.format(
        domain=cfg.domain, host=host, sip_port=cfg.sip_port, ws_port=cfg.ws_port,
        suite=suite, secret=cfg.shared_secret, hold=cfg.hold_seconds,
        modules=cfg.modules_dir.rstrip("/"), children=cfg.children,
        async_workers=cfg.async_workers, drains=REPORT_DRAINS,
        drain_params="".join(
            f'modparam("mqueue", "mqueue", "name=reports{i};size=100000")\n'
            f'modparam("rtimer", "timer", "name=reports{i};interval=10000u;mode=1")\n'
            f'modparam("rtimer", "exec", "timer=reports{i};route=DRAIN_{i}")\n'
            for i in range(REPORT_DRAINS)),
        drain_routes="\n".join(_DRAIN.format(i=i) for i in range(REPORT_DRAINS)),
    )


# At most 50 a tick (Kamailio stops a while loop at max_while_loops, 100, and the report in
# hand would be lost); the rest waits for the next tick, 10 ms later.
_DRAIN = """route[DRAIN_{i}] {{
    $var(sent) = 0;
    while ($var(sent) < 50 && mq_fetch("reports{i}")) {{
        http_client_query(SUITE + "/api/sip/event", "$mqv(reports{i})",
                          "Content-Type: application/json", "$var(ignored)");
        $var(sent) = $var(sent) + 1;
    }}
}}
"""


def write(cfg: ProxyConfig, out: Path) -> list[Path]:
    """Write ``kamailio.cfg`` and a short ``README.txt`` into ``out`` (made if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    conf = out / "kamailio.cfg"
    conf.write_text(render(cfg), encoding="utf-8")
    conf.chmod(0o600)  # it holds the shared secret
    readme = out / "README.txt"
    readme.write_text(README.format(dir=out, domain=cfg.domain, host=_host(cfg.listen_address),
                                    sip_port=cfg.sip_port, ws_port=cfg.ws_port,
                                    suite=cfg.suite_url), encoding="utf-8")
    return [conf, readme]


README = """Kamailio for contactops ({domain})

Run:    kamailio -DD -E -f {dir}/kamailio.cfg
SIP:    udp/tcp {host}:{sip_port}    WebSocket (JsSIP): ws://{host}:{ws_port}/
Suite:  {suite} (CONTACTOPS_TELEPHONY=sip, the same CONTACTOPS_SIP_SHARED_SECRET)
Check:  contactops telephony check
Agents register as sip:LOGIN@{domain} with the digest credentials the suite made
(contactops telephony accounts); callers dial sip:QUEUE@{domain}.
kamailio.cfg holds the shared secret: keep it readable by the kamailio user only.
"""

# Double braces: str.format. Kamailio's own syntax: $var(x), $rU (R-URI user), $fU, $ci (Call-ID).
TEMPLATE = """#!KAMAILIO
# contactops: registrar and proxy for {domain}, written by `contactops telephony config`.
# Run: kamailio -DD -E -f kamailio.cfg

#!define SUITE "{suite}"
#!define SECRET "{secret}"
#!define DOMAIN "{domain}"

debug=2
log_stderror=yes
children={children}
tcp_children={children}
async_workers={async_workers}
auto_aliases=no
listen=udp:{host}:{sip_port}
listen=tcp:{host}:{sip_port}
listen=tcp:{host}:{ws_port}
alias="{domain}"
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
mpath="{modules}/"

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "htable.so"
loadmodule "http_client.so"
loadmodule "async.so"
loadmodule "xhttp.so"
loadmodule "jsonrpcs.so"
loadmodule "websocket.so"
loadmodule "nathelper.so"
loadmodule "mqueue.so"
loadmodule "rtimer.so"

modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "gruu_enabled", 0)
modparam("htable", "htable", "ha1=>size=10;autoexpire=300;")
modparam("http_client", "connection_timeout", {hold})
modparam("http_client", "keep_connections", 1)
modparam("http_client", "query_result", 0)
{drain_params}modparam("tm", "fr_inv_timer", 60000)
modparam("rr", "append_fromtag", 1)
modparam("jsonrpcs", "transport", 1)
modparam("websocket", "keepalive_mechanism", 1)
modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (!sanity_check()) exit;
    if (has_totag()) {{ route(IN_DIALOG); exit; }}
    if (is_method("CANCEL")) {{
        # relay first: the caller's 200 for the CANCEL must not wait for the suite
        if (t_check_trans()) {{ t_relay(); route(REPORT_CANCEL); }}
        exit;
    }}
    if (is_method("ACK")) {{ if (t_check_trans()) t_relay(); exit; }}
    t_check_trans();  # a retransmission is answered by its transaction and ends here
    if (!is_method("REGISTER|INVITE|OPTIONS")) {{ sl_send_reply("405", "Method Not Allowed"); exit; }}
    if ($rd != DOMAIN) {{ sl_send_reply("403", "Relaying Forbidden"); exit; }}
    if (is_method("OPTIONS")) {{ sl_send_reply("200", "OK"); exit; }}
    if (nat_uac_test("64")) {{  # a browser over WebSocket: its Contact is not reachable as is
        force_rport();
        if (is_method("INVITE")) add_contact_alias();
    }}
    if (is_method("REGISTER")) {{ route(REGISTER); exit; }}
    record_route();
    if (registered("location")) {{
        # a transferred caller's new leg (REFER from an agent): the suite joins it to its contact
        if (is_present_hf("Referred-By") && !is_present_hf("Proxy-Authorization")) {{
            route(TO_QUEUE);
            exit;
        }}
        route(TO_AGENT);
        exit;
    }}
    route(TO_QUEUE);
}}

# An agent's own digest credentials; the HA1 comes from the suite, kept 5 minutes.
route[AUTH_FROM] {{
    if ($fd != DOMAIN) {{ sl_send_reply("403", "Forbidden Domain"); exit; }}
    if ($sht(ha1=>$fU) == $null) {{
        $var(body) = '{{"secret": "' + SECRET + '", "username": "' + $(fU{{s.escape.common}}) + '"}}';
        $var(rc) = http_client_query(SUITE + "/api/sip/ha1", "$var(body)",
                                     "Content-Type: application/json", "$var(ha1)");
        if ($var(rc) != 200) {{ $var(ha1) = "x"; }}
        $sht(ha1=>$fU) = $var(ha1);
    }}
}}

route[REGISTER] {{
    route(AUTH_FROM);
    if (!pv_www_authenticate(DOMAIN, "$sht(ha1=>$fU)", "1")) {{
        $sht(ha1=>$fU) = $null;  # asked again next time: a rotated account counts at once
        www_challenge(DOMAIN, "1");
        exit;
    }}
    if ($tU != $fU) {{ sl_send_reply("403", "Register Only Yourself"); exit; }}
    consume_credentials();
    if (nat_uac_test("64")) {{ fix_nated_register(); }}
    if (!save("location")) sl_reply_error();
}}

# A call straight to a registered agent: only an agent (digest) may place it.
route[TO_AGENT] {{
    route(AUTH_FROM);
    if (!pv_proxy_authenticate(DOMAIN, "$sht(ha1=>$fU)", "1")) {{
        proxy_challenge(DOMAIN, "1");
        exit;
    }}
    consume_credentials();
    lookup("location");
    t_on_reply("NAT_REPLY");
    if (!t_relay()) sl_reply_error();
}}

# A call to a queue: held (the transaction suspended) while the engine decides.
route[TO_QUEUE] {{
    if ($rU == $null || !($rU =~ "^[A-Za-z0-9_.-]{{1,60}}$")) {{ sl_send_reply("404", "Not Found"); exit; }}
    t_newtran();
    t_reply("100", "Waiting for an agent");
    $avp(queue) = $rU;  # kept with the transaction: a second ask after a failed ring uses it
    if (!async_task_route("ASK_SUITE")) {{ t_reply("503", "Service Unavailable"); exit; }}
}}

route[ASK_SUITE] {{
    $var(rby) = "";
    if (is_present_hf("Referred-By")) {{ $var(rby) = $(hdr(Referred-By){{nameaddr.uri}}{{uri.user}}); }}
    $var(body) = '{{"secret": "' + SECRET + '", "call_id": "' + $(ci{{s.escape.common}}) + '", "queue": "' + $avp(queue) + '", "caller": "' + $(fU{{s.escape.common}}) + '", "referred_by": "' + $(var(rby){{s.escape.common}}) + '"}}';
    $var(rc) = http_client_query(SUITE + "/api/sip/route", "$var(body)",
                                 "Content-Type: application/json", "$var(answer)");
    if ($var(rc) == 404) {{ t_reply("404", "Not Found"); exit; }}
    if ($var(rc) == 409) {{ t_reply("487", "Request Terminated"); exit; }}
    route(OFFERED);
    if ($var(rc) != 200 || !($var(agent) =~ "^[A-Za-z0-9_.-]{{1,60}}$")) {{
        t_reply("503", "Service Unavailable");
        exit;
    }}
    $ru = "sip:" + $var(agent) + "@" + DOMAIN;
    if (!lookup("location")) {{
        $var(event) = "failed";
        $var(status) = 480;
        route(REPORT);
        t_reply("480", "Agent Not Registered");
        exit;
    }}
    t_on_reply("AGENT_REPLY");
    t_on_failure("AGENT_FAILED");
    # the caller may have hung up while the suite answered: a cancelled transaction is not
    # relayed, so the caller gets its 487 here
    if (t_is_canceled()) {{ t_reply("487", "Request Terminated"); exit; }}
    if (!t_relay()) {{
        if (t_is_canceled()) t_reply("487", "Request Terminated");
        else t_reply("500", "Relay Failed");
    }}
}}

# The suite's answer "AGENT:RING_MS": the agent offered the call, and how long its phone may
# ring (the engine's ring timeout, less a second, so that the proxy gives up first and the
# engine offers the call again after the proxy's report; 0: the proxy's own 60 s).
route[OFFERED] {{
    $var(agent) = $(var(answer){{s.select,0,:}});
    $var(ring) = $(var(answer){{s.select,1,:}}{{s.int}});
    if ($var(ring) >= 1000) {{ t_set_fr("$var(ring)"); }}
}}

onreply_route[AGENT_REPLY] {{
    if (nat_uac_test("64")) add_contact_alias();
    # a ring is the engine's offer already: not reported, so the 180 goes on at once
    if (status =~ "^2[0-9][0-9]$") {{ $var(event) = "answered"; $var(status) = $rs; route(REPORT); }}
}}

onreply_route[NAT_REPLY] {{
    if (nat_uac_test("64")) add_contact_alias();
}}

failure_route[AGENT_FAILED] {{
    if (t_is_canceled()) exit;
    $var(event) = "failed";
    $var(status) = $T_reply_code;
    route(REPORT);
    # the engine takes the call back into its line and offers it again: ask once more, in an
    # async worker like the first time (the answer may take as long as the queue does)
    if (!async_task_route("ASK_SUITE")) {{ t_reply("480", "Temporarily Unavailable"); }}
}}

route[REPORT_CANCEL] {{
    $var(event) = "cancelled";
    $var(status) = 487;
    route(REPORT);
}}

# Queued, not sent here: the drains below post the reports, off the SIP workers; one call's
# reports go into one queue (the Call-ID's hash), so they reach the suite in order.
route[REPORT] {{
    $var(body) = '{{"secret": "' + SECRET + '", "call_id": "' + $(ci{{s.escape.common}}) + '", "event": "' + $var(event) + '", "status": ' + $var(status) + '}}';
    $var(queue) = "reports" + $(ci{{s.corehash,{drains}}});
    if (!mq_add("$var(queue)", "$ci", "$var(body)")) {{
        xlog("L_ERR", "contactops: report queue full, $var(event) of $ci lost\\n");
    }}
}}

{drain_routes}
route[IN_DIALOG] {{
    if (is_method("BYE")) {{ $var(event) = "ended"; $var(status) = 200; route(REPORT); }}
    if (nat_uac_test("64")) {{ force_rport(); add_contact_alias(); }}
    if (loose_route()) {{
        handle_ruri_alias();
        if (!t_relay()) sl_reply_error();
        exit;
    }}
    if (is_method("ACK")) {{ if (t_check_trans()) t_relay(); exit; }}
    sl_send_reply("404", "Not Here");
}}

# WebSocket upgrade and JSON-RPC (contactops telephony check) on the WebSocket port only.
event_route[xhttp:request] {{
    if ($Rp != {ws_port}) {{ xhttp_reply("403", "Forbidden", "", ""); exit; }}
    if ($hu =~ "^/RPC") {{
        if ($si != "127.0.0.1" && $si != "{host}") {{ xhttp_reply("403", "Forbidden", "", ""); exit; }}
        jsonrpc_dispatch();
        exit;
    }}
    if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {{
        if (ws_handle_handshake()) exit;
    }}
    xhttp_reply("404", "Not Found", "", "");
}}
"""
