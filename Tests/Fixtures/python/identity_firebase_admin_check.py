"""Google's and Firebase's Python packages against the emulator's identity service.

Usage: identity_firebase_admin_check.py BASE_URL PROJECT

firebase-admin, pointed at the emulator through FIREBASE_AUTH_EMULATOR_HOST, creates a user,
sets custom claims and verifies an ID token the emulator issued (signed in through the REST
signInWithPassword call). google-auth's verify_token then checks the RS256 signature against the
certificates the emulator serves at Google's x509 path, and rejects a tampered token.
Prints "ok <check>: <detail>" per check and "ALL OK" at the end; exits non-zero on a failure.
"""
import base64
import json
import os
import sys

base_url, project = sys.argv[1], sys.argv[2]
os.environ["FIREBASE_AUTH_EMULATOR_HOST"] = base_url.removeprefix("http://")

import firebase_admin  # noqa: E402
import google.auth.transport.requests  # noqa: E402
import google.oauth2.id_token  # noqa: E402
import requests  # noqa: E402
from firebase_admin import auth  # noqa: E402

CERTS_URL = base_url + "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
EMAIL, PASSWORD = "python@example.com", "python-password-1"


def ok(check, detail):
    print(f"ok {check}: {detail}", flush=True)


firebase_admin.initialize_app(options={"projectId": project})

user = auth.create_user(email=EMAIL, password=PASSWORD, display_name="Py Thon")
assert user.uid and user.email == EMAIL, user
ok("create_user", user.uid)

auth.set_custom_user_claims(user.uid, {"admin": True})
fetched = auth.get_user(user.uid)
assert fetched.custom_claims == {"admin": True}, fetched.custom_claims
assert auth.get_user_by_email(EMAIL).uid == user.uid
ok("set_custom_user_claims", fetched.custom_claims)

response = requests.post(
    base_url + "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key",
    json={"email": EMAIL, "password": PASSWORD, "returnSecureToken": True},
    timeout=30,
)
assert response.status_code == 200, response.text
id_token = response.json()["idToken"]
ok("signInWithPassword", response.json()["localId"])

claims = auth.verify_id_token(id_token, check_revoked=True)
assert claims["uid"] == user.uid and claims["admin"] is True, claims
assert claims["firebase"]["sign_in_provider"] == "password", claims
ok("verify_id_token", sorted(claims))

request = google.auth.transport.requests.Request()
verified = google.oauth2.id_token.verify_token(id_token, request, audience=project, certs_url=CERTS_URL)
assert verified["sub"] == user.uid and verified["admin"] is True, verified
assert verified["iss"] == f"https://securetoken.google.com/{project}", verified
ok("google-auth verify_token", verified["iss"])

header, payload, signature = id_token.split(".")
forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
forged["sub"] = forged["user_id"] = "someone-else"
forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
try:
    google.oauth2.id_token.verify_token(".".join([header, forged_payload, signature]), request, audience=project, certs_url=CERTS_URL)
except ValueError as error:
    ok("tampered token rejected", type(error).__name__)
else:
    raise AssertionError("google-auth accepted a tampered token")

auth.delete_user(user.uid)
try:
    auth.get_user(user.uid)
except auth.UserNotFoundError:
    ok("delete_user", user.uid)
else:
    raise AssertionError("the deleted user is still found")

print("ALL OK", flush=True)
