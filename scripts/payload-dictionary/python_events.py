"""
Captures events from the official Python sentry-sdk for the dictionary corpus (see build.mjs).

A custom transport keeps every event envelope item instead of sending it, and prints the events as
JSON lines on stdout. The errors come from real code: json, file access, arithmetic, attribute and
key errors a few calls deep, a Flask app called through its test client (request data), logging
(breadcrumbs, and events from logging.error), chained exceptions and capture_message.

    .venv/bin/python scripts/payload-dictionary/python_events.py COUNT [SEED]
"""
import json
import logging
import os
import random
import sys
import zlib
from decimal import Decimal
from urllib.parse import urlsplit

import sentry_sdk
from sentry_sdk.transport import Transport

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rand = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
captured = []


class CaptureTransport(Transport):
    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                captured.append(item.payload.json)

    def flush(self, timeout, callback=None):
        pass


sentry_sdk.init(
    dsn="http://public@127.0.0.1:9/1",
    transport=CaptureTransport,
    release="billing-worker@3.8.0",
    environment="production",
    server_name="billing-worker-5b8d9-qz7wm",
    traces_sample_rate=1.0,
    default_integrations=True,
)

from flask import Flask, jsonify, request  # noqa: E402  (after init so the integration hooks it)

log = logging.getLogger("billing.invoices")
logging.basicConfig(level=logging.INFO, stream=open(os.devnull, "w"))

FIRST = ["ana", "bo", "chen", "dara", "emeka", "fatima", "gus", "hiro", "inès", "jon", "kofi", "lena"]
LAST = ["smith", "okafor", "nguyen", "garcía", "müller", "kowalski", "tanaka", "silva", "haddad"]
REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-south-1"]
PLANS = ["free", "team", "business", "enterprise"]
CURRENCIES = ["EUR", "USD", "GBP", "JPY"]


def hexid(n):
    return "".join(rand.choice("0123456789abcdef") for _ in range(n))


def person():
    first, last = rand.choice(FIRST), rand.choice(LAST)
    return {
        "id": str(rand.randint(1000, 999999)),
        "email": f"{first}.{last}@example.com",
        "username": f"{first}{rand.randint(1, 99)}",
        "ip_address": f"{rand.randint(10, 203)}.{rand.randint(0, 255)}.{rand.randint(0, 255)}.{rand.randint(1, 254)}",
    }


# --- application code ------------------------------------------------------------------------


class InvoiceError(Exception):
    pass


def load_settings(name):
    with open(f"/etc/billing/{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def parse_event(body):
    payload = json.loads(body)
    return payload["data"]["object"]["id"]


def line_amount(line):
    return Decimal(line["unit_amount"]) * line["quantity"]


def invoice_total(invoice):
    total = sum(line_amount(line) for line in invoice["lines"])
    return total / invoice["exchange_rate"]


def prorate(amount, days_used, days_in_period):
    return amount * days_used // days_in_period


def customer_name(customer):
    return customer.profile.display_name.strip()


def finalize_invoice(invoice_id, attempt):
    try:
        invoice_total({"lines": [{"unit_amount": "12.50", "quantity": 2}], "exchange_rate": 0})
    except ZeroDivisionError as exc:
        raise InvoiceError(f"could not finalize invoice {invoice_id} (attempt {attempt})") from exc


def decompress_archive(blob):
    return zlib.decompress(blob).decode("utf-8")


def tax_rate(country):
    rates = {"DE": 0.19, "FR": 0.2, "GB": 0.2, "US": 0.0}
    return rates[country]


def webhook_host(url):
    return urlsplit(url).hostname.lower()


def parse_amount(text):
    return int(text.replace(",", ""))


class Customer:
    def __init__(self, profile):
        self.profile = profile


# --- a Flask app, called through its test client ------------------------------------------------

app = Flask("billing")


@app.route("/invoices/<invoice_id>/pay", methods=["POST"])
def pay_invoice(invoice_id):
    sentry_sdk.set_tag("region", request.headers.get("X-Region", "us-east-1"))
    body = request.get_json(force=True, silent=True) or {}
    log.info("paying invoice %s for %s", invoice_id, body.get("customer"))
    return jsonify(total=str(invoice_total(body)))


@app.route("/webhooks/<provider>", methods=["POST"])
def webhook(provider):
    sentry_sdk.set_tag("provider", provider)
    return jsonify(id=parse_event(request.get_data(as_text=True)))


@app.route("/customers/<customer_id>")
def customer(customer_id):
    sentry_sdk.set_user({"id": customer_id})
    return jsonify(name=customer_name(Customer(None)))


client = app.test_client()


def chatter():
    for _ in range(rand.randint(0, 8)):
        choice = rand.randint(0, 3)
        if choice == 0:
            log.info("fetched %d invoices for account acct_%s", rand.randint(1, 300), hexid(8))
        elif choice == 1:
            log.warning("retrying stripe call after %s", rand.choice(["timeout", "502", "rate limited"]))
        elif choice == 2:
            logging.getLogger("sqlalchemy.engine").info("SELECT invoices.id FROM invoices WHERE invoices.status = %s", "open")
        else:
            sentry_sdk.add_breadcrumb(category="queue", message=f"picked job {hexid(10)}", level="info")


def job(fn):
    with sentry_sdk.isolation_scope() as scope:
        scope.set_tag("queue", rand.choice(["invoices", "dunning", "exports", "payouts"]))
        scope.set_tag("region", rand.choice(REGIONS))
        scope.set_tag("plan", rand.choice(PLANS))
        if rand.random() < 0.6:
            scope.set_user(person())
        if rand.random() < 0.5:
            scope.set_context("invoice", {"id": f"in_{hexid(14)}", "currency": rand.choice(CURRENCIES), "amount_due": rand.randint(100, 900000)})
        chatter()
        try:
            fn()
        except Exception as exc:  # noqa: BLE001
            sentry_sdk.capture_exception(exc)


def request_job(fn):
    with sentry_sdk.isolation_scope():
        chatter()
        fn()


JOBS = [
    lambda: job(lambda: load_settings(rand.choice(["stripe", "tax", "dunning"]) + f"-{rand.randint(1, 30)}")),
    lambda: job(lambda: parse_event(rand.choice(['{"data": ', "<html>bad gateway</html>", "", '{"data": {"object": {}}}']))),
    lambda: job(lambda: prorate(rand.randint(100, 10000), rand.randint(1, 30), 0)),
    lambda: job(lambda: customer_name(Customer(None))),
    lambda: job(lambda: finalize_invoice(f"in_{hexid(14)}", rand.randint(1, 4))),
    lambda: job(lambda: decompress_archive(bytes(rand.randint(0, 255) for _ in range(24)))),
    lambda: job(lambda: tax_rate(rand.choice(["ES", "IT", "NL", "JP"]))),
    lambda: job(lambda: webhook_host(rand.choice(["not a url", "/relative/path"]))),
    lambda: job(lambda: parse_amount(rand.choice(["12.50", "1,000.00", "n/a", "€12"]))),
    lambda: job(lambda: log.error("invoice %s stuck in state %s for %d hours", f"in_{hexid(14)}", rand.choice(["draft", "open"]), rand.randint(2, 72))),
    lambda: job(lambda: sentry_sdk.capture_message(rand.choice([f"Payout {hexid(8)} delayed by {rand.randint(1, 9)} days", f"Dunning run skipped {rand.randint(1, 40)} customers", "Exchange rate feed is stale"]), level=rand.choice(["warning", "info", "error"]))),
    lambda: request_job(lambda: client.post(f"/invoices/in_{hexid(14)}/pay", json={"customer": f"cus_{hexid(10)}", "lines": [{"unit_amount": "9.99", "quantity": 1}], "exchange_rate": 0}, headers={"X-Region": rand.choice(REGIONS), "User-Agent": "billing-ui/2.1"})),
    lambda: request_job(lambda: client.post(f"/webhooks/{rand.choice(['stripe', 'paddle'])}", data='{"data": {"object": ' + hexid(4), headers={"Content-Type": "application/json"})),
    lambda: request_job(lambda: client.get(f"/customers/cus_{hexid(10)}", headers={"Accept": "application/json", "X-Request-Id": hexid(32)})),
]

while len(captured) < COUNT:
    rand.choice(JOBS)()

sentry_sdk.flush()
for event in captured[:COUNT]:
    sys.stdout.write(json.dumps(event, default=str) + "\n")
