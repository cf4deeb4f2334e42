"""Eligibility service: a contract household → estimated benefits, computed with OpenFisca-France.

Entry point: `api.eligibility.service.EligibilityService`; route: `api.routes.eligibility`.
"""
