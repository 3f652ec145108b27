"""Alerts as messages: Slack Block Kit, the generic webhook body, and plain text."""

from alerts.render.slack import slack_payload
from alerts.render.text import plain_text
from alerts.render.webhook import validate_body, webhook_body

__all__ = ["plain_text", "slack_payload", "validate_body", "webhook_body"]
