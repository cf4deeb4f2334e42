"""The web chat page opened by the outreach QR codes: plain HTML, CSS and JS served by the API."""
