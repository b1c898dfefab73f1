"""Gunicorn settings read from the working directory (`gunicorn rjportal.wsgi` in the README,
and scripts/api-fuzz). A request line up to 8,190 bytes: the referral list's filters make long
query strings, which gunicorn's default of 4,094 answered with an HTML 414."""

limit_request_line = 8190
