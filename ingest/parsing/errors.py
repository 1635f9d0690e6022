from __future__ import annotations


class ParseError(Exception):
    """The file cannot be read as a report. Carries a message for people in Chinese and English.

    ``code`` is stable (e.g. "empty", "scanned_pdf", "unsupported_format", "corrupt",
    "too_large", "timeout", "no_tables") so callers can react to it.
    """

    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en

    def to_dict(self) -> dict:
        return {"code": self.code, "zh": self.message_zh, "en": self.message_en}
