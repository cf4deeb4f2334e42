"""The Rasa bot: domain, rules and stories (data), endpoints, and its tracker store (tracker_store.py)."""
