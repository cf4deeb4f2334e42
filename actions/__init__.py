"""Rasa action server: the dialogue logic (rasa-sdk). Texts live in knowledge/, API calls in clients/."""
