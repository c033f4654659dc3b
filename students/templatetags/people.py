from django import template

register = template.Library()


@register.filter
def person(user, nobody="系统"):
    """A user as people know them: their name, else their login; `nobody`
    (系统) for what a task or a command did."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()
