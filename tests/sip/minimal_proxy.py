"""A throw-away Kamailio on loopback for tests of SIP parts alone (robots, SIPp scenarios).

Registrar and stateful proxy for ``domain``, UDP only, no digest, no suite: an INVITE to a
registered user is relayed to its contact. The suite's own configuration
(``contactops telephony config``) is what the end-to-end tests run; this one only checks that
robots and callers speak correct SIP to a real proxy. The alias is the domain, never
``127.0.0.1``: robots' contacts are on 127.0.0.1 and must not read as the proxy itself.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"
MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")

CONFIG = """#!KAMAILIO
debug=2
log_stderror=yes
children=2
auto_aliases=no
disable_tcp=yes
listen=udp:127.0.0.1:{port}
alias="{domain}"
mpath="{modules}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "db_mode", 0)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (has_totag()) {{
        if (loose_route()) {{ t_relay(); exit; }}
        if (is_method("ACK") && t_check_trans()) {{ t_relay(); exit; }}
        sl_send_reply("404", "Not here");
        exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) t_relay(); exit; }}
    t_check_trans();
    if (is_method("REGISTER")) {{ save("location"); exit; }}
    if (is_method("INVITE")) record_route();
    if (!lookup("location")) {{ sl_send_reply("404", "Not Found"); exit; }}
    t_relay();
}}
"""


def free_udp_port() -> int:
    """A port free for UDP *and* TCP on loopback: Kamailio listens on both with the SIP port
    (a port free for UDP only once made a benchmark's Kamailio fail with 'Address already in
    use' on its TCP bind)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no loopback port free for both UDP and TCP")


def available() -> bool:
    return Path(KAMAILIO).exists() and (MODULES / "registrar.so").exists()


@contextmanager
def minimal_proxy(workdir: Path, domain: str) -> Iterator[tuple[str, int]]:
    """Run the config above on a free UDP port; yields (host, port); stops it afterwards."""
    port = free_udp_port()
    cfg = workdir / "kamailio.cfg"
    cfg.write_text(CONFIG.format(port=port, domain=domain, modules=MODULES))
    log = (workdir / "kamailio.log").open("w")
    proc = subprocess.Popen([KAMAILIO, "-f", str(cfg), "-DD", "-E", "-m", "64", "-M", "8",
                             "-Y", str(workdir), "-P", str(workdir / "kamailio.pid")],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while "Listening on" not in (workdir / "kamailio.log").read_text():
            assert proc.poll() is None, (workdir / "kamailio.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "kamailio did not start within 10 s"
            time.sleep(0.05)
        time.sleep(0.2)  # its children bind after the banner
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
