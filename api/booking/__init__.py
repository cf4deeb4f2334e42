"""Rendez-vous des droits: slots, bookings, reminders, call-backs (see service.py)."""
