from django import template

from backoffice.navigation import page_for, sections

register = template.Library()


@register.inclusion_tag("manager/_nav.html", takes_context=True)
def manager_nav(context):
    request = context["request"]
    current = page_for(request.path)
    return {"sections": sections(), "current": current.key if current else None}
