"""Local stand-ins for the providers (Twilio, Telegram) and for Rasa: tests and demos never reach
the network."""
