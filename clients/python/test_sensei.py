"""Run by test/e2e/python-client.test.ts against a running API: SENSEI_API_URL, SENSEI_API_KEY, SOURCE, TARGET."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from sensei import Sensei, SenseiApiError, WebhookSignatureError, sign_webhook_payload, verify_webhook_signature  # noqa: E402

client = Sensei(api_key=os.environ["SENSEI_API_KEY"], base_url=os.environ["SENSEI_API_URL"])
migration = client.migrations.create(
    source={"type": "sqlite", "connection_string": os.environ["SOURCE"]},
    target={"type": "sqlite", "connection_string": os.environ["TARGET"]},
    strategy="aggressive",
    name="from python",
)
migration.start()
done = migration.wait_for("completed", timeout=120)

try:
    Sensei(api_key="sk_test_" + "0" * 32, base_url=os.environ["SENSEI_API_URL"]).migrations.list()
    refused = None
except SenseiApiError as err:
    refused = {"status": err.status, "code": err.code}

header = sign_webhook_payload('{"event":"x"}', "whsec_1", 1_760_000_000)
verified = verify_webhook_signature('{"event":"x"}', header, "whsec_1", now=1_760_000_010)
try:
    verify_webhook_signature('{"event":"y"}', header, "whsec_1", now=1_760_000_010)
    tampered = "accepted"
except WebhookSignatureError:
    tampered = "refused"

# A header the server's own signer made (lib/webhooks.ts), verified here.
server_signed = verify_webhook_signature(os.environ["HOOK_BODY"], os.environ["HOOK_HEADER"], os.environ["HOOK_SECRET"], tolerance_seconds=10**10)

print(json.dumps({"server_signed": server_signed, "status": done["status"], "rows": done["progress"]["rows_copied"], "refused": refused, "verified": verified, "tampered": tampered, "id": migration.id}))
