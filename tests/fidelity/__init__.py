"""Fidelity harness: generated personas play the real conversation end to end, and the household the
conversation sends to the eligibility service is compared, field by field, with the one the person
described. `python -m tests.fidelity` (make fidelity); the fast subset is tests/e2e/test_fidelity.py."""
