"""The sweep: every page's forms and query parameters, every route's id arguments, with hostile values.

Plan per identity: GET every declared route it may open (the route walk's table and sample
ids), read the forms on each page, then post each form once per round — a round puts one
hostile text value into every text field (typed fields keep a valid value, so the request goes
as deep as the service and the database), or one hostile typed value into every number/date
field, or hostile values into hidden fields and selects. Every GET route is also asked with
hostile query parameters, and every <int:> argument with integers past 2^31 and 2^63.
"""

import importlib.util
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from . import hostile
from .forms import Form, forms_on

WALK = Path(__file__).resolve().parents[1] / "foundation" / "test_routes_walk.py"
SKIP_ACTIONS = ("/logout",)
SKIP_ENDPOINTS = {"health.healthz", "auth.logout"}
DATABASE_ROUNDS = {"text:combo", "text:long", "typed:huge", "hidden+select"}


def walk_module():
    spec = importlib.util.spec_from_file_location("routes_walk_for_sweep", WALK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def text_rounds() -> list[dict]:
    return [{"text": v, "label": f"text:{k}"} for k, v in hostile.TEXT.items()]


def typed_rounds() -> list[dict]:
    return [{"typed": group, "label": f"typed:{k}"} for k, group in hostile.TYPED_GROUPS.items()]


def hidden_rounds() -> list[dict]:
    return [{"hidden": hostile.TEXT["crlf"], "label": "hidden:crlf"},
            {"hidden": hostile.TYPED["big"], "select": hostile.TEXT["combo"], "label": "hidden+select"}]


def _valid_typed(field) -> str:
    if field.value:
        return field.value
    name = field.name.lower()
    if "date" in name or name.endswith("_on") or "month" in name:
        return "2026-11-18"
    return "1"


def form_data(form: Form, round_: dict) -> dict:
    data: dict = {}
    for n, f in enumerate(form.fields):
        if f.kind == "file":
            if "text" in round_:
                data[f.name] = (BytesIO(hostile.PNG), hostile.FILENAME)
            continue
        if f.kind == "text":
            value = round_.get("text", f.value or "测试")
        elif f.kind == "typed":
            group = round_.get("typed")
            value = group[n % len(group)] if group else _valid_typed(f)
        elif f.kind == "hidden":
            value = round_.get("hidden", f.value)
        elif f.kind == "select":
            value = round_.get("select", f.value)
        else:
            value = f.value
        data.setdefault(f.name, value)
    if form.submit and form.submit[0]:
        data[form.submit[0]] = form.submit[1]
    return data


class Sweep:
    def __init__(self, app, client, identity, users, record, database_only=False):
        self.app, self.client, self.identity, self.users = app, client, identity, users
        # database_only: just what a second database can answer differently (NUL, lengths, integer
        # ranges, a failed write); form validation is the same code on both and swept on SQLite.
        self.database_only = database_only
        self.record = record  # (what, status, body) -> None, collects failures
        self.walk = walk_module()
        self.samples = self._samples()  # read once: the sweep's own posts change the records they pick
        self.exports: set[str] = set()
        self.forms: dict[tuple, Form] = {}
        self.count = 0

    def request(self, what: str, url: str, method="GET", **kwargs):
        self.count += 1
        response = self.client.open(url, method=method, **kwargs)
        self.record(what, response)
        return response

    def _samples(self) -> dict:
        values = {}
        for name, pick in self.walk.SAMPLE_ARGS.items():
            try:
                values[name] = pick(self.users)
            except (AttributeError, LookupError, TypeError):
                values[name] = None  # the demo has no such record today
        return values

    def pages(self) -> list[tuple[str, str, str]]:
        """(key, method, url) of every declared route this identity may call, sample ids filled in."""
        plan = []
        for rule in self.walk._walkable_rules(self.app):
            if rule.endpoint in SKIP_ENDPOINTS:
                continue
            values = {a: self.samples[a] for a in rule.arguments
                      if not (rule.defaults and a in rule.defaults)}
            if any(v is None for v in values.values()):
                continue  # the demo has no such record today
            url = rule.build(values, append_unknown=False)[1]
            for key in self.walk._declared_keys(rule):
                if key in self.walk.ENDPOINT_ACCESS:
                    plan.append((key, key.split(" ", 1)[0], url, rule))
        return plan

    def allowed(self, key) -> bool:
        return self.walk._expected(key, self.identity) in (200, 303)

    def run(self) -> None:
        plan = self.pages()
        for key, method, url, _rule in plan:
            if method == "GET" and self.allowed(key):
                self.visit(url)
        self.post_forms()
        for key, method, url, rule in plan:
            if method == "GET":
                self.query(key, url)
            self.big_ids(key, method, rule)
        self.fetch_exports()

    def visit(self, url: str) -> None:
        response = self.request(f"GET {url}", url)
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            return
        html = response.get_data(as_text=True)
        for form in forms_on(html, url):
            if not form.action.startswith(SKIP_ACTIONS) and urlsplit(form.action).netloc == "":
                self.forms.setdefault(form.key(), form)
        for href in _export_links(html):
            self.exports.add(href)

    def post_forms(self) -> None:
        for form in self.forms.values():
            kinds = {f.kind for f in form.fields}
            # Only the rounds that reach a field of the form (a form with no number field needs no NaN).
            rounds = ((text_rounds() if kinds & {"text", "file"} else [])
                      + (typed_rounds() if "typed" in kinds else [])
                      + (hidden_rounds() if kinds & {"hidden", "select"} else [])) or text_rounds()[:1]
            if self.database_only:
                rounds = [r for r in rounds if r["label"] in DATABASE_ROUNDS] or rounds[:1]
            for n, round_ in enumerate(rounds):
                data = form_data(form, round_)
                headers = {"HX-Request": "true"} if n % 2 else {}
                what = f"{form.method.upper()} {form.action} [{round_['label']}]"
                if form.method == "get":
                    self.request(what, _with_query(form.action, data), headers=headers)
                else:
                    # Encoded in memory: werkzeug's test client spills a body over 500 KB (a long form
                    # full of 10,000-character values) into a temporary file it never closes.
                    boundary, body = encode_multipart({
                        name: FileStorage(stream=value[0], filename=value[1]) if isinstance(value, tuple) else value
                        for name, value in data.items()})
                    self.request(what, form.action, method="POST", data=body, headers=headers,
                                 content_type=f"multipart/form-data; boundary={boundary}")

    def query(self, key: str, url: str) -> None:
        if not self.allowed(key):
            return
        names = [name for name in hostile.QUERY_NAMES if name != "format"]
        # Two requests spread the hostile values over the parameter names (rotating); the integer
        # parameters also get integers past 2^63 and the search a NUL.
        ints = {"page": hostile.TYPED["int64"], "owner": hostile.TYPED["big"], "rep": hostile.TYPED["big"],
                "region": hostile.TYPED["big"], "q": "a\x00b"}
        for offset, extra in ((0, ints), (len(names) // 2 + 1, {}))[:1 if self.database_only else 2]:
            params = {name: hostile.QUERY[(n + offset) % len(hostile.QUERY)] for n, name in enumerate(names)}
            self.request(f"GET {url} ?…[{offset}]", _with_query(url, params | extra))

    def big_ids(self, key: str, method: str, rule) -> None:
        ints = [a for a in rule.arguments if type(rule._converters.get(a)).__name__.endswith("IntegerConverter")]
        if not ints:
            return
        values = {a: self.samples[a] for a in rule.arguments
                  if not (rule.defaults and a in rule.defaults)}
        if any(v is None for v in values.values()):
            return
        for big in hostile.BIG_IDS if method == "GET" else hostile.BIG_IDS[:1]:
            path = rule.build({**values, **dict.fromkeys(ints, big)}, append_unknown=False)[1]
            self.request(f"{method} {path} (big id)", path, method=method)

    def fetch_exports(self) -> None:
        for href in sorted(self.exports):
            self.request(f"GET {href} (export)", href)


def _with_query(url: str, params: dict) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}{urlencode(params)}"


def _export_links(html: str) -> set[str]:
    import re

    return {h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*(?:format=xlsx|\.xlsx|/export)[^"]*)"', html)}
