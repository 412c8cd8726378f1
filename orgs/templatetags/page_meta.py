"""`{% capture title %}…{% endcapture %}`: render a block once, use it several times.

A page's title and description appear in `<title>`, the meta description and the
Open Graph tags; Django allows a block only once in a template, so base.html
captures each block (still overridden by the page as usual) and reuses the text.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        # The rendered text is already escaped; whitespace runs are folded.
        context.dicts[0][self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))
        return ""


@register.tag
def capture(parser, token):
    try:
        _tag, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("{% capture NAME %} takes one name.") from None
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(name, nodelist)
