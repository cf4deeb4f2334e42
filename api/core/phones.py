"""Which numbers may receive SMS: mobile numbers of France and of the overseas departments and
collectivities, read with `phonenumbers`. A landline can still be given for a call-back."""
from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

# Metropolitan France and the overseas territories that share the French numbering plan.
SMS_REGIONS = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"})
MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def sms_number(raw: str) -> str | None:
    """The number in E.164 when it is a mobile of France or of an overseas department, else None.
    A national form (« 0690 12 34 56 », or « +33 690... » as a French form reads it) is tried in
    each of these regions."""
    candidates = [raw]
    digits = raw.replace(" ", "").replace(".", "").replace("-", "")
    if digits.startswith("+33"):
        candidates.append("0" + digits[3:])
    for text in candidates:
        for region in ("FR", *sorted(SMS_REGIONS - {"FR"})):
            try:
                number = phonenumbers.parse(text, region)
            except NumberParseException:
                continue
            if (phonenumbers.is_valid_number(number)
                    and phonenumbers.region_code_for_number(number) in SMS_REGIONS
                    and phonenumbers.number_type(number) in MOBILE_TYPES):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
