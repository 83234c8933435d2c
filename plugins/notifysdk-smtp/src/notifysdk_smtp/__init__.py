"""Email through aiosmtplib with a connection pool, for notifysdk."""
