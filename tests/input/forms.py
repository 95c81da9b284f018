"""The forms a page offers, read from its HTML (what a browser would submit)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_TYPES = {"text", "search", "email", "tel", "url", "password", ""}
TYPED_TYPES = {"date", "number", "datetime-local", "month", "time", "week"}
TYPED_HINTS = ("amount", "qty", "quantity", "hours", "price", "budget", "days", "limit", "rate", "count",
               "date", "_on", "interval", "year", "total")


@dataclass
class Field:
    name: str
    kind: str  # text | typed | hidden | select | check | file
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    submit: tuple[str, str] | None = None

    def key(self) -> tuple:
        return (self.action, self.method, tuple(sorted(f.name for f in self.fields)))


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = a.get("action") or a.get("hx-post") or a.get("data-hx-post") or self.page_url
            if a.get("hx-post") or a.get("data-hx-post"):
                method = "post"
            self.form = Form(action.split("#")[0], method)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "button":
            # The first submit button is the one Enter presses; an unnamed one sends nothing.
            if (a.get("type") or "submit") == "submit" and self.form.submit is None:
                self.form.submit = (a.get("name", ""), a.get("value", ""))
        elif not a.get("name") and tag != "option":
            return
        elif tag == "input":
            self._input(a)
        elif tag == "select":
            self.select = Field(a["name"], "select")
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))
            if "selected" in a:
                self.select.value = a.get("value", "")
        elif tag == "textarea":
            self.textarea = Field(a["name"], "text")
            self.form.fields.append(self.textarea)

    def _input(self, a):
        kind, name = (a.get("type") or "text").lower(), a["name"]
        if name == "csrf_token" or kind in {"button", "reset", "image"}:
            return
        if kind == "submit":
            if self.form.submit is None:
                self.form.submit = (name, a.get("value", ""))
            return
        if kind in {"checkbox", "radio"}:
            if "checked" in a:
                self.form.fields.append(Field(name, "check", a.get("value", "y")))
            return
        typed = kind in TYPED_TYPES or a.get("inputmode") in {"decimal", "numeric"} or any(
            hint in name.lower() for hint in TYPED_HINTS)
        mapped = "file" if kind == "file" else "hidden" if kind == "hidden" else "typed" if typed else "text"
        self.form.fields.append(Field(name, mapped, a.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            if self.select is not None and not self.select.value and self.select.options:
                self.select.value = next((o for o in self.select.options if o), self.select.options[0])
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_on(html: str, page_url: str) -> list[Form]:
    parser = _Parser(page_url)
    parser.feed(html)
    return parser.forms
