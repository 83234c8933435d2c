"""SMS and automated voice calls through the official twilio client, for notifysdk."""
