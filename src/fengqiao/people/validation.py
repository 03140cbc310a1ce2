"""Checks on a person's identity fields, with messages for the form."""

import datetime

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from .models import Sex


class FieldError(ValueError):
    """A value refused for one field; the message is for the user."""


def clean_id_number(value: str, sex: str = Sex.UNKNOWN) -> str:
    """An 18-character resident ID number (GB 11643): checksum, birth date, region."""
    number = ric.compact(value or "")
    if not number:
        return ""
    try:
        ric.validate(number)
    except stdnum_errors.InvalidLength as e:
        raise FieldError(_("身份证号应为 18 位。")) from e
    except stdnum_errors.InvalidFormat as e:
        raise FieldError(_("身份证号前 17 位应为数字，最后一位为数字或 X。")) from e
    except stdnum_errors.InvalidChecksum as e:
        raise FieldError(_("身份证号校验位不正确，请核对。")) from e
    except stdnum_errors.InvalidComponent as e:
        try:
            ric.get_birth_date(number)
        except stdnum_errors.InvalidComponent:
            raise FieldError(_("身份证号中的出生日期无效。")) from e
        raise FieldError(_("身份证号前 6 位不是有效的行政区划代码。")) from e
    birth = ric.get_birth_date(number)
    if birth > timezone.localdate() or birth < datetime.date(1880, 1, 1):
        raise FieldError(_("身份证号中的出生日期无效。"))
    # The 17th digit is odd for men and even for women.
    implied = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    if sex in (Sex.MALE, Sex.FEMALE) and sex != implied:
        raise FieldError(_("身份证号与所填性别不一致。"))
    return number


def clean_phone(value: str) -> str:
    """A Chinese mobile (``13812345678``) or landline (``0477-8123456``) number."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as e:
        raise FieldError(_("电话号码格式不正确。")) from e
    if not phonenumbers.is_valid_number(number) or number.country_code != 86:
        raise FieldError(_("请填写有效的中国大陆手机号或带区号的固定电话。"))
    national = phonenumbers.national_significant_number(number)
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return national
    if kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        area = phonenumbers.length_of_geographical_area_code(number)
        if area:
            return f"0{national[:area]}-{national[area:]}"
    raise FieldError(_("请填写有效的中国大陆手机号或带区号的固定电话。"))
