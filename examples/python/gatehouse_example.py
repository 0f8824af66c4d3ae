#!/usr/bin/env python3
"""Gatehouse from Python with the standard library only.

Every call is looked up by operationId in the server's /openapi.json, so the script holds no
paths or HTTP methods of its own: register, log in, read the user, refresh, log out.

    python3 gatehouse_example.py [BASE_URL]     # default http://127.0.0.1:3000
"""

import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request


class GatehouseError(Exception):
    """A refusal from the server, in tRPC's error shape."""

    def __init__(self, http_status, code, message):
        super().__init__(f"{http_status} {code}: {message}")
        self.http_status = http_status
        self.code = code


class Gatehouse:
    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")
        document = self._send("GET", "/openapi.json")
        self.operations = {}
        for path, item in document["paths"].items():
            for method, operation in item.items():
                self.operations[operation["operationId"]] = (method.upper(), path, operation)

    def describe(self, operation_id):
        method, path, _ = self.operations[operation_id]
        return f"{method} {path}"

    def call(self, operation_id, payload=None, access_token=None):
        """Calls a procedure and returns `result.data`; raises GatehouseError on an error answer."""
        method, path, operation = self.operations[operation_id]
        schemes = {name for requirement in operation.get("security", []) for name in requirement}
        if "bearerAuth" in schemes and access_token is None:
            raise ValueError(f"{operation_id} needs an access token")
        headers = {"Accept": "application/json"}
        if access_token is not None:
            headers["Authorization"] = f"Bearer {access_token}"
        body = None
        if method == "GET":
            # A query takes its input as URL-encoded JSON in ?input=.
            if payload is not None:
                path += "?" + urllib.parse.urlencode({"input": json.dumps(payload)})
        else:
            # A mutation takes its input as the JSON body.
            body = json.dumps(payload if payload is not None else {}).encode()
            headers["Content-Type"] = "application/json"
        return self._send(method, path, body, headers)["result"]["data"]

    def _send(self, method, path, body=None, headers=None):
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            answer = json.load(error)["error"]
            raise GatehouseError(error.code, answer["data"]["code"], answer["message"]) from None


def main():
    base_url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GATEHOUSE_URL", "http://127.0.0.1:3000")
    gatehouse = Gatehouse(base_url)
    print(f"openapi: {len(gatehouse.operations)} operations")

    name = f"py_{secrets.token_hex(4)}"
    password = f"python stdlib {secrets.token_hex(8)}"
    user = gatehouse.call("auth.register", {"username": name, "email": f"{name}@example.com", "password": password})
    print(f"register ({gatehouse.describe('auth.register')}): {user['username']} role={user['role']}")

    tokens = gatehouse.call("auth.login", {"username": name, "password": password})
    print(f"login ({gatehouse.describe('auth.login')}): tokenType={tokens['tokenType']} expiresIn={tokens['expiresIn']}")

    me = gatehouse.call("user.me", access_token=tokens["accessToken"])
    print(f"me ({gatehouse.describe('user.me')}): {me['username']} <{me['email']}> id={me['id']}")

    fresh = gatehouse.call("auth.refresh", {"refreshToken": tokens["refreshToken"]})
    rotated = fresh["refreshToken"] != tokens["refreshToken"]
    print(f"refresh ({gatehouse.describe('auth.refresh')}): rotated={str(rotated).lower()}")

    gatehouse.call("auth.logout", {"refreshToken": fresh["refreshToken"]})
    print(f"logout ({gatehouse.describe('auth.logout')}): ok")

    try:
        gatehouse.call("auth.refresh", {"refreshToken": fresh["refreshToken"]})
        print("refresh after logout: accepted")
    except GatehouseError as error:
        print(f"refresh after logout: {error.http_status} {error.code}")


if __name__ == "__main__":
    main()
