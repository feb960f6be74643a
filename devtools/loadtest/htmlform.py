"""The fields of one HTML form as a browser would submit them, read from the page's HTML, so the
moderator can save the admin's change form exactly as it was served."""

from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


class _FormParser(HTMLParser):
    def __init__(self, selector):
        super().__init__(convert_charrefs=True)
        self.selector = selector
        self.inside = False
        self.found = False
        self.fields = []  # (name, value) in document order, names may repeat
        self.textarea = self.select = None
        self.text = []
        self.options = []  # (value, selected) of the open <select>
        self.option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            # Only the first matching form: its fields are the ones a click would send.
            self.inside = not self.found and matches(self.selector, attrs)
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        # Disabled controls are not submitted.
        name = None if "disabled" in attrs else attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.fields.append((name, attrs.get("value", default) or default))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []
        elif tag == "select" and name:
            self.select, self.options = (name, "multiple" in attrs), []
        elif tag == "option" and self.select:
            self.option = [attrs.get("value"), "selected" in attrs, []]

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)
        if self.option is not None:
            self.option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            # Browsers drop the one newline that follows <textarea>.
            self.fields.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None
        elif tag == "option" and self.option is not None:
            value, selected, text = self.option
            self.options.append((value if value is not None else "".join(text).strip(), selected))
            self.option = None
        elif tag == "select" and self.select:
            name, multiple = self.select
            chosen = [value for value, selected in self.options if selected]
            if not chosen and not multiple and self.options:
                chosen = [self.options[0][0]]
            self.fields += [(name, value) for value in chosen]
            self.select = None


def matches(selector, attrs):
    """ "#id" or ".class", as CSS has them."""
    if selector.startswith("#"):
        return attrs.get("id") == selector[1:]
    return selector[1:] in (attrs.get("class") or "").split()


def form_fields(html, selector):
    """[(name, value), …] of the first form matching `selector` ("#id" or ".class") in `html`;
    raises ValueError if there is none."""
    parser = _FormParser(selector)
    parser.feed(html)
    parser.close()
    if not parser.found:
        raise ValueError(f"no form {selector} in the page")
    return parser.fields


def replace(fields, name, value):
    """`fields` with every value of `name` replaced by `value` (one entry)."""
    kept = [(n, v) for n, v in fields if n != name]
    return [*kept, (name, value)]
