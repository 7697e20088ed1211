"""Customs simulator: a stand-in for the customs gateway, speaking the real protocol.

A separate process (``manage.py customs_simulator``) with its own state in a
SQLite file, so it survives restarts like a real counterpart.  It accepts
signed certificate messages (XSD-validated, deduplicated by Idempotency-Key),
answers each with a signed receipt posted asynchronously to the portal's
inbound endpoint (retried until the portal takes it), and lets a person
"declare goods against certificate N" on a small page, which posts a signed
write-off to the portal.  Its rules: a void or a correction is refused once
goods were declared against the certificate; an expired certificate is
refused.
"""

import html
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from . import xml

SCHEMA = """
create table if not exists messages (
  message_id text primary key, kind text, system text, number text, revision integer,
  received_at real, result text, reason text, receipt_id text, receipt_sent integer default 0
);
create table if not exists certificates (
  system text, number text, revision integer, status text, holder text, data text,
  primary key (system, number)
);
create table if not exists write_offs (
  message_id text primary key, system text, number text, declaration text, declared_on text,
  port text, line integer, quantity text, sent integer default 0
);
"""


class Simulator:
    def __init__(self, *, db_path: str, portal_url: str, secret: str, delay: float = 0.5):
        self.portal_url, self.secret, self.delay = portal_url, secret, delay
        self.db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def query(self, sql, params=()):
        with self.lock:
            return self.db.execute(sql, params).fetchall()

    # --- certificate messages ------------------------------------------------------
    def accept_message(self, body: bytes, headers) -> tuple[int, str]:
        try:
            xml.verify_signature(
                self.secret,
                headers.get(xml.TIMESTAMP_HEADER),
                headers.get(xml.SIGNATURE_HEADER),
                body,
            )
            root = xml.parse(body, schema_name="outbound", expected=("CertificateMessage",))
        except xml.SignatureError as error:
            return 403, str(error)
        except xml.MessageError as error:
            return 400, str(error)
        message_id, kind = root.get("messageId"), root.get("kind")
        if headers.get("Idempotency-Key") != message_id:
            return 400, "Idempotency-Key must be the message id."
        data = xml.read_certificate(root.find(f"{{{xml.NS}}}Certificate"))
        with self.lock:
            if self.db.execute(
                "select 1 from messages where message_id=?", (message_id,)
            ).fetchone():
                return 202, "duplicate: already received"
            accepted, reason = self._decide(kind, data)
            self.db.execute(
                "insert into messages values (?,?,?,?,?,?,?,?,?,0)",
                (
                    message_id,
                    kind,
                    data["system"],
                    data["number"],
                    data["revision"],
                    time.time(),
                    "ACCEPTED" if accepted else "REJECTED",
                    reason,
                    xml.new_message_id(),
                ),
            )
        return 202, "received"

    def _decide(self, kind, data) -> tuple[bool, str]:
        system, number = data["system"], data["number"]
        known = self.db.execute(
            "select status from certificates where system=? and number=?", (system, number)
        ).fetchone()
        used = self.db.execute(
            "select count(*) from write_offs where system=? and number=?", (system, number)
        ).fetchone()[0]
        if kind == "VOID":
            if known is None:
                return False, "海关无此证书，无法作废。"
            if used:
                return False, "证书已用于报关（有核销记录），不能作废。"
            self.db.execute(
                "update certificates set status='VOID' where system=? and number=?",
                (system, number),
            )
            return True, ""
        if known and known[0] == "VOID":
            return False, "证书已作废。"
        if data["valid_until"] < date.today():
            return False, "证书有效期已过。"
        if kind == "CORRECT":
            if known is None:
                return False, "海关无此证书，无法改错。"
            if used:
                return False, "证书已用于报关（有核销记录），不能改错。"
        payload = json.dumps(data, default=str, ensure_ascii=False)
        self.db.execute(
            "insert into certificates values (?,?,?,'VALID',?,?) on conflict(system, number) "
            "do update set revision=excluded.revision, holder=excluded.holder, data=excluded.data",
            (system, number, data["revision"], data["holder_name"], payload),
        )
        return True, ""

    # --- write-offs ---------------------------------------------------------------
    def declare(self, *, number, line, quantity, port="2233", declaration="", system=None):
        declaration = declaration or datetime.now().strftime("2233%Y%m%d%H%M%S")[:18].ljust(18, "0")
        with self.lock:
            if system is None:
                found = self.db.execute(
                    "select system from certificates where number=?", (number,)
                ).fetchone()
                if found is None:
                    raise ValueError(f"no certificate {number}")
                system = found[0]
            self.db.execute(
                "insert into write_offs values (?,?,?,?,?,?,?,?,0)",
                (
                    xml.new_message_id(),
                    system,
                    number,
                    declaration,
                    date.today().isoformat(),
                    port,
                    int(line),
                    str(Decimal(quantity)),
                ),
            )
        return declaration

    # --- posting to the portal, until it takes it -------------------------------------
    def _post(self, body: bytes) -> int | None:
        request = urllib.request.Request(
            self.portal_url, data=body, headers=xml.signed_headers(self.secret, body), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def pump(self) -> int:
        """Send due receipts and pending write-offs; returns how many the portal took."""
        taken = 0
        due = self.query(
            "select message_id, system, number, result, reason, receipt_id from messages "
            "where receipt_sent=0 and received_at <= ?",
            (time.time() - self.delay,),
        )
        for message_id, system, number, result, reason, receipt_id in due:
            body = xml.receipt(
                message_id=receipt_id,
                in_reply_to=message_id,
                system=system,
                number=number,
                accepted=result == "ACCEPTED",
                reason=reason or "",
                received_at=datetime.now(UTC),
            )
            status = self._post(body)
            if status is not None and status < 500 and status != 403:
                # 200 applied; 400 the portal will never take it: both are final.
                self.query("update messages set receipt_sent=1 where message_id=?", (message_id,))
                taken += 1
        for row in self.query(
            "select message_id, system, number, declaration, declared_on, port, line, quantity "
            "from write_offs where sent=0"
        ):
            message_id, system, number, declaration, declared_on, port, line, quantity = row
            body = xml.write_off(
                message_id=message_id,
                declaration_number=declaration,
                declaration_date=declared_on,
                port_code=port,
                documents=[(system, number, [(line, quantity, 1)])],
            )
            status = self._post(body)
            if status is not None and status < 500 and status != 403:
                self.query("update write_offs set sent=1 where message_id=?", (message_id,))
                taken += 1
        return taken

    def run_pump(self, interval=0.2):
        while not self.stopped.is_set():
            try:
                self.pump()
            except Exception as error:  # keep the simulator alive; report and retry
                print(f"simulator: {error}", flush=True)
            self.stopped.wait(interval)

    # --- the small page -----------------------------------------------------------------
    def page(self) -> str:
        rows = []
        for system, number, revision, status, holder, data in self.query(
            "select system, number, revision, status, holder, data from certificates "
            "order by number desc"
        ):
            lines = json.loads(data)["lines"]
            options = "".join(
                f'<option value="{line["line_number"]}">{line["line_number"]} · '
                f"{html.escape(line['name'])} · "
                f"{line['quantity']} {html.escape(line['unit'])}</option>"
                for line in lines
            )
            used = self.query(
                "select declaration, line, quantity, sent from write_offs "
                "where system=? and number=?",
                (system, number),
            )
            declared = "<br>".join(
                f"{d} · 第{line}项 · {q}{'' if sent else '（待发送）'}" for d, line, q, sent in used
            )
            rows.append(
                f"<tr><td>{system}</td><td>{number}</td><td>{revision}</td><td>{status}</td>"
                f"<td>{html.escape(holder)}</td><td>{declared or '—'}</td><td>"
                f'<form method="post" action="/write-offs/"><input type="hidden" name="number" '
                f'value="{number}"><input type="hidden" name="system" value="{system}">'
                f'<label>商品项 <select name="line">{options}</select></label> '
                '<label>数量 <input name="quantity" required size="8"></label> '
                '<label>口岸 <input name="port" value="2233" size="4"></label> '
                '<label>报关单号 <input name="declaration" size="20" '
                'placeholder="自动生成"></label> '
                "<button>申报核销</button></form></td></tr>"
            )
        messages = self.query(
            "select kind, number, revision, result, reason, receipt_sent from messages "
            "order by received_at desc limit 50"
        )
        log = "".join(
            f"<tr><td>{k}</td><td>{n}</td><td>{r}</td><td>{res}</td><td>{html.escape(reason or '')}"
            f"</td><td>{'已回执' if sent else '待回执'}</td></tr>"
            for k, n, r, res, reason, sent in messages
        )
        return (
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>海关模拟器</title>'
            "<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}</style>"
            "<h1>海关模拟器 Customs simulator</h1>"
            "<p>A stand-in for the customs gateway: it receives "
            "the portal's certificate messages, answers receipts, and declares goods (核销) "
            "against certificates.</p><h2>证书 Certificates</h2><table><tr><th>业务</th>"
            "<th>证书编号</th>"
            "<th>版本</th><th>状态</th><th>单位</th><th>已核销</th><th>申报</th></tr>"
            + "".join(rows)
            + "</table><h2>报文 Messages</h2><table><tr><th>类型</th><th>准许证号</th><th>版本</th>"
            "<th>结果</th><th>原因</th><th>回执</th></tr>" + log + "</table></html>"
        )

    def stats(self) -> dict:
        return {
            "messages": [
                {"message_id": m, "kind": k, "number": n, "result": r}
                for m, k, n, r in self.query(
                    "select message_id, kind, number, result from messages order by received_at"
                )
            ]
        }


def make_handler(simulator: Simulator):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status, text, content_type="text/plain; charset=utf-8"):
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > xml.MAX_MESSAGE_BYTES:
                return None
            return self.rfile.read(length)

        def do_GET(self):
            if self.path == "/messages.json":
                return self._send(200, json.dumps(simulator.stats()), "application/json")
            if self.path == "/":
                return self._send(200, simulator.page(), "text/html; charset=utf-8")
            self._send(404, "not found")

        def do_POST(self):
            body = self._body()
            if body is None:
                return self._send(413, "Message too large.")
            if self.path == "/customs/messages/":
                return self._send(*simulator.accept_message(body, self.headers))
            if self.path == "/write-offs/":
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                try:
                    simulator.declare(
                        number=form["number"],
                        line=form["line"],
                        quantity=form["quantity"],
                        port=form.get("port") or "2233",
                        declaration=form.get("declaration", ""),
                        system=form.get("system") or None,
                    )
                except (KeyError, ArithmeticError, ValueError) as error:
                    return self._send(400, f"Bad write-off: {error}")
                self.send_response(303)
                self.send_header("Location", "/")
                self.end_headers()
                return None
            self._send(404, "not found")

        def log_message(self, format, *args):
            pass

    return Handler


def serve(*, host, port, simulator: Simulator):
    server = ThreadingHTTPServer((host, port), make_handler(simulator))
    pump = threading.Thread(target=simulator.run_pump, daemon=True)
    pump.start()
    try:
        server.serve_forever()
    finally:
        simulator.stopped.set()
        server.server_close()
