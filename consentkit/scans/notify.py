"""Tell a site's owner what a finished scan found: an e-mail and/or a signed webhook, per site.

A notification goes out when a scan finds a new item, an item whose category changed, or a new
violation (`scan_diff.is_notable`); one per job, covering every origin it scanned.

The webhook is a JSON POST (`payload()` has the format) with the header
`ConsentKit-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`, keyed with the
site's webhook secret, so a receiver can check that the request came from us and is fresh (reject
a `t` more than a few minutes old). The secret is derived from the app's SECRET_KEY and the site's
`webhook_key_id`; nothing secret is stored in the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import smtplib
import ssl
import time
import urllib.error
import urllib.request
import uuid
from email.message import EmailMessage
from typing import Any

from flask import Flask
from sqlalchemy import select

from .. import public_url
from ..errors import ConsentKitError
from ..models import Scan, Site
from . import diff as scan_diff

SIGNATURE_HEADER = "ConsentKit-Signature"
EVENT = "scan.changed"
SMTP_SECURITY = ("starttls", "ssl", "none")


class NotificationFailed(ConsentKitError):
    """An e-mail or webhook could not be delivered; the message says where and why."""


def rotate_webhook_secret(site: Site) -> None:
    """A new secret for the site's webhook; the old one stops verifying at once."""
    site.webhook_key_id = secrets.token_hex(8)


def webhook_secret(secret_key: str, site: Site) -> str | None:
    """The secret the site's webhook is signed with (None until one was made)."""
    if not site.webhook_key_id:
        return None
    message = f"consentkit webhook\0{site.key}\0{site.webhook_key_id}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return "whsec_" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def payload(app: Flask, site: Site, scans: list[Scan]) -> dict[str, Any]:
    """What the webhook posts: the site, then each scan with its diff and where to see it."""
    base = public_url.configured(app)
    return {
        "event": EVENT, "id": str(uuid.uuid4()),
        "site": {"key": site.key, "name": site.name, "revision": site.revision},
        "scans": [{"id": scan.id, "url": scan.url, "job_id": scan.job_id,
                   "finished_at": scan.finished_at.isoformat() + "Z" if scan.finished_at else None,
                   "admin_url": f"{base}/admin/sites/{site.key}/scans/{scan.id}" if base else None,
                   "diff": scan.diff} for scan in scans],
    }


def send_webhook(url: str, secret: str, body: dict[str, Any], timeout: float = 10) -> None:
    """POST the signed JSON; any answer but 2xx (a redirect included) is a failure."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "consentkit-webhook",
        SIGNATURE_HEADER: signature(secret, int(time.time()), data), "ConsentKit-Event": EVENT})
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as answer:
            answer.read(65536)
    except urllib.error.HTTPError as exc:
        raise NotificationFailed(f"webhook {url} answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotificationFailed(f"webhook {url} could not be reached: {reason}") from None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A signed POST is for the URL the owner gave, not wherever it redirects."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def email_message(app: Flask, site: Site, scans: list[Scan]) -> EmailMessage:
    """A plain-text e-mail: per origin, what is new and the violations, with a link to the admin."""
    counts = [scan_diff.summary(scan.diff or {}) for scan in scans]
    message = EmailMessage()
    name = "".join(c for c in site.name if c.isprintable())
    message["Subject"] = f"consentkit: {name}: scan found {counts[0] if len(counts) == 1 else 'changes'}"
    message["From"] = app.config.get("SMTP_FROM") or "consentkit@localhost"
    message["To"] = ", ".join(site.notify_emails)
    message.set_content(email_text(app, site, scans))
    return message


def email_text(app: Flask, site: Site, scans: list[Scan]) -> str:
    base = public_url.configured(app)
    lines = [f"A scan of {site.name} found changes.", ""]
    for scan in scans:
        diff = scan.diff or {}
        lines += [f"{scan.url}: {scan_diff.summary(diff)}"]
        for label, key in (("new", "new"), ("category changed", "changed")):
            for item in diff.get(key) or []:
                was = f" (was {item['from']})" if key == "changed" else ""
                lines.append(f"  {label}: {item['kind']} {item['name']} on {item['domain']}, "
                             f"{item['category']}{was}")
        for violation in diff.get("new_violations") or []:
            lines.append(f"  VIOLATION: {violation.get('kind')} {violation.get('name')} "
                         f"({violation.get('category')}) {violation.get('phase')} consent on "
                         f"{violation.get('page')}")
        if base:
            lines.append(f"  details: {base}/admin/sites/{site.key}/scans/{scan.id}")
        lines.append("")
    lines.append("Unknown items need consent until you classify them in the admin.")
    return "\n".join(lines)


def send_email(app: Flask, message: EmailMessage) -> None:
    """Through the SMTP server of the configuration (SMTP_HOST, _PORT, _SECURITY, _USERNAME, …)."""
    config = app.config
    host = config.get("SMTP_HOST")
    if not host:
        raise NotificationFailed("e-mail not sent: set CONSENTKIT_SMTP_HOST (and SMTP_FROM) first")
    security = config.get("SMTP_SECURITY") or "starttls"
    if security not in SMTP_SECURITY:
        raise NotificationFailed(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    port = int(config.get("SMTP_PORT") or (465 if security == "ssl" else 587))
    context = ssl.create_default_context()
    try:
        smtp = (smtplib.SMTP_SSL(host, port, timeout=20, context=context) if security == "ssl"
                else smtplib.SMTP(host, port, timeout=20))
        with smtp:
            if security == "starttls":
                smtp.starttls(context=context)
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise NotificationFailed(f"e-mail to {message['To']} via {host}:{port} failed: {exc}") from None


def deliver(app: Flask, session: Any, site: Site, scan_ids: list[int],
            channels: tuple[str, ...] = ("email", "webhook")) -> dict[str, str]:
    """Send the notification for these scans over the site's channels; returns {channel: error}
    for those that failed (the caller retries them), and sends nothing when no scan is notable."""
    scans = [s for s in session.scalars(select(Scan).where(Scan.id.in_(scan_ids)).order_by(Scan.id))
             if scan_diff.is_notable(s.diff)]
    failed: dict[str, str] = {}
    if not scans:
        return failed
    if "email" in channels and site.notify_emails:
        try:
            send_email(app, email_message(app, site, scans))
        except NotificationFailed as exc:
            failed["email"] = str(exc)
    secret = webhook_secret(app.config["SECRET_KEY"], site)
    if "webhook" in channels and site.webhook_url and secret:
        try:
            send_webhook(site.webhook_url, secret, payload(app, site, scans))
        except NotificationFailed as exc:
            failed["webhook"] = str(exc)
    return failed
