"""The one error this package raises for a household that makes no sense."""
from __future__ import annotations


class InvalidHousehold(ValueError):
    """Bad input. `fr` says what to fix, `en` is for developers, `errors` lists each problem:
    {"field": "adults[0].age", "fr": "...", "en": "..."}."""

    def __init__(self, fr: str, en: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(en)
        self.fr = fr
        self.en = en
        self.errors = errors or [{"field": "", "fr": fr, "en": en}]

    def to_response(self) -> dict:
        return {"detail": {"fr": self.fr, "en": self.en}, "errors": self.errors}
