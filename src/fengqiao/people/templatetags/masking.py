from django import template

from fengqiao.people import masking

register = template.Library()


@register.filter
def mask_id(value) -> str:
    return masking.mask_id(str(value or ""))


@register.filter
def mask_phone(value) -> str:
    return masking.mask_phone(str(value or ""))
