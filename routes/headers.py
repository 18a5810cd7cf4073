"""Response headers every answer carries: `nosniff` (so an image or PDF is never sniffed into
HTML), a sandboxing CSP on files, and HSTS when the deployment is behind TLS."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FILE_TYPES = ("image/", "application/pdf")
FILE_CSP = "default-src 'none'; sandbox"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts_seconds: int) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains" if hsts_seconds else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith(FILE_TYPES):
                    headers.setdefault("Content-Security-Policy", FILE_CSP)
                    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)
