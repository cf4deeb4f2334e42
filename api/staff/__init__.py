"""The staff side: accounts and sessions (accounts.py, access.py), outreach actions with their QR
codes and posters, the agenda, and the anonymous indicators for the local committee.

Create an account: `STAFF_PASSWORD=... python -m api.staff create-user --email E --role R --territory T`.
"""
