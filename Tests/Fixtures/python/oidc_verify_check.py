"""Verifies the OIDC tokens the emulator put on a Pub/Sub push and a Cloud Tasks dispatch, as a
function behind Cloud Run would: google-auth's id_token.verify_token against the published
certificates. Arguments: CERTS_URL, then LABEL|TOKEN|AUDIENCE|EMAIL for each token.
Prints "ok ..." per check and "ALL OK" at the end; exits non-zero on the first failure."""
import json
import sys

from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

certs_url = sys.argv[1]
request = google_requests.Request()
for argument in sys.argv[2:]:
    label, token, audience, email = argument.split("|")
    claims = id_token.verify_token(token, request, audience=audience, certs_url=certs_url)
    assert claims["iss"] == "https://accounts.google.com", claims
    assert claims["email"] == email, claims
    assert claims["email_verified"] is True, claims
    assert claims["sub"] and claims["exp"] > claims["iat"], claims
    print(f"ok {label}: {json.dumps(claims, sort_keys=True)}")
    try:
        id_token.verify_token(token, request, audience="https://elsewhere.example", certs_url=certs_url)
    except Exception as error:  # google-auth raises ValueError subclasses
        print(f"ok {label} wrong audience rejected: {error}")
    else:
        print(f"FAIL {label}: a wrong audience was accepted")
        sys.exit(1)
    head, payload, signature = token.split(".")
    tampered = ".".join([head, payload, ("A" if signature[0] != "A" else "B") + signature[1:]])
    try:
        id_token.verify_token(tampered, request, audience=audience, certs_url=certs_url)
    except Exception as error:
        print(f"ok {label} tampered token rejected: {error}")
    else:
        print(f"FAIL {label}: a tampered token was accepted")
        sys.exit(1)
print("ALL OK")
