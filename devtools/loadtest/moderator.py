"""The moderator: a logged-in editor working through the real admin over HTTP while readers
load the site, publishing stories from the review queue and correcting live ones. After each
publication an anonymous reader checks how soon the change is visible."""

import http.client
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from django.utils.html import escape

from devtools.benchmark.server import HOST
from devtools.loadtest.htmlform import form_fields, replace
from devtools.loadtest.traffic import fetch

ADMIN_TIMEOUT = 60
VISIBILITY_POLL_SECONDS = 0.1
CHANGE_FORM = "#article_form"


class AdminError(Exception):
    pass


class AdminSession:
    """A browser's worth of the admin: cookies, the CSRF token from each form, no redirects
    followed unless asked (a 302 is how the admin says "saved")."""

    def __init__(self, port):
        self.port = port
        self.cookies = SimpleCookie()
        self.requests = 0

    def request(self, method, path, fields=None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=ADMIN_TIMEOUT)
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends with a form POST; Django checks it against the host.
            headers["Origin"] = f"http://{HOST}:{self.port}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            raise AdminError(f"{method} {path} failed: {exc!r}") from None
        finally:
            conn.close()
            self.requests += 1
        for header in response.msg.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        if response.status >= 500:
            raise AdminError(f"{method} {path} answered {response.status}")
        return response.status, response.getheader("Location", ""), text

    def page(self, path):
        status, _, text = self.request("GET", path)
        if status != 200:
            raise AdminError(f"GET {path} answered {status}")
        return text

    def submit(self, path, fields, *, answered=None):
        """POST a form; `answered(monotonic time)` is called as soon as the admin has said yes,
        before the page it redirects to is read, which must not carry an error message."""
        status, location, text = self.request("POST", path, fields)
        if status != 302:
            raise AdminError(f"POST {path} answered {status}, not a redirect{form_errors(text)}")
        if answered:
            answered(time.monotonic())
        if 'class="error"' in self.page(urlsplit(location).path or path):
            raise AdminError(f"POST {path}: the admin reported an error")

    def login(self, username, password, *, login_url, next_url):
        path = f"{login_url}?next={next_url}"
        fields = form_fields(self.page(path), "#login-form")
        fields = replace(replace(fields, "username", username), "password", password)
        status, _, text = self.request("POST", path, fields)
        if status != 302:
            raise AdminError(f"login as {username} refused ({status}){form_errors(text)}")


def form_errors(html):
    return ": form errors on the page" if "errornote" in html or "errorlist" in html else ""


@dataclass
class Action:
    kind: str  # "publish" or "edit"
    pk: int
    headline: str
    paths: list  # what a reader checks for the headline
    began: float = field(default_factory=time.monotonic)  # opening the article in the admin
    published: float = 0.0  # monotonic time the publish POST was answered
    visible_s: float | None = None  # from then until every path shows it (see `check`)
    error: str = ""

    @property
    def admin_s(self):
        return self.published - self.began if self.published else None


class Moderator(threading.Thread):
    """Every `every` seconds: publish the next story waiting in review, or (every other time)
    rewrite the headline of the last one published and publish the change."""

    def __init__(self, port, *, admin, username, password, stories, every, visible_within):
        super().__init__(name="moderator", daemon=True)
        self.port, self.admin = port, admin
        self.username, self.password = username, password
        self.waiting = list(stories)
        self.every, self.visible_within = every, visible_within
        self.actions, self.checkers = [], []
        self.published = []
        self.stop = threading.Event()
        self.session = AdminSession(port)
        self.error = ""

    def run(self):
        try:
            self.work()
        except Exception as exc:  # noqa: BLE001 (said in the report, not lost in a thread)
            self.error = f"the moderator stopped: {exc!r}"

    def work(self):
        try:
            self.session.login(
                self.username,
                self.password,
                login_url=self.admin["login"],
                next_url=self.admin["index"],
            )
        except (AdminError, ValueError) as exc:
            self.error = str(exc)
            return
        turn = 0
        # A steady pace: when the admin is slower than `every`, the next action follows at once.
        next_turn = time.monotonic() + self.every
        while not self.stop.wait(max(0.0, next_turn - time.monotonic())):
            if not self.waiting and not self.published:
                return
            edit = (turn % 2 == 1 and bool(self.published)) or not self.waiting
            action = self.edit(self.published[-1]) if edit else self.publish(self.waiting.pop(0))
            self.actions.append(action)
            turn += 1
            next_turn += self.every

    def finish(self):
        self.stop.set()
        self.join(ADMIN_TIMEOUT * 4)
        for checker in self.checkers:
            checker.join(self.visible_within + 10)

    def transition(self, story, name, action, **extra):
        """Open the article in the admin and click the workflow button `name`; readers start
        checking for `action` the moment the admin answers."""
        fields = form_fields(self.session.page(story["change_url"]), f".desk-transition-{name}")
        for key, value in extra.items():
            fields = replace(fields, key, value)
        fields.append(("_transition", name))
        self.session.submit(
            story["transition_url"], fields, answered=lambda moment: self.watch(action, moment)
        )

    def watch(self, action, moment):
        action.published = moment
        checker = threading.Thread(target=self.check, args=(action,), daemon=True)
        checker.start()
        self.checkers.append(checker)

    def publish(self, story):
        action = Action("publish", story["pk"], story["headline"], self.reader_paths(story))
        try:
            self.transition(story, "publish", action)
        except (AdminError, ValueError) as exc:
            action.error = str(exc)
        else:
            self.published.append(story)
        return action

    def edit(self, story):
        """Change the headline in the change form, save (a pending revision, as for any live
        piece), then publish the change as an update."""
        updates = sum(1 for a in self.actions if a.pk == story["pk"] and a.kind == "edit")
        headline = f"{story['headline'].split(':')[0]} (update {updates + 1}): {story['headline']}"
        headline = headline[:250]
        action = Action("edit", story["pk"], headline, self.reader_paths(story))
        try:
            url = story["change_url"]
            fields = replace(form_fields(self.session.page(url), CHANGE_FORM), "headline", headline)
            self.session.submit(url, [*fields, ("_continue", "Save")])
            self.transition(
                story, "publish_changes", action, note="Headline updated.", correction_kind="update"
            )
        except (AdminError, ValueError) as exc:
            action.error = str(exc)
        return action

    @staticmethod
    def reader_paths(story):
        return [story["url"], story["section_url"], "/"]

    def check(self, action):
        """As anonymous readers, poll every page at once until each shows the headline. A page
        counts as showing it from when the first request that got it was sent: the time its
        answer spent queued behind the load is the server's latency, not staleness."""
        seen = {}
        pollers = [
            threading.Thread(target=self.poll, args=(action, path, seen), daemon=True)
            for path in action.paths
        ]
        for poller in pollers:
            poller.start()
        for poller in pollers:
            poller.join()
        if len(seen) == len(action.paths):
            action.visible_s = max(seen.values())
        else:
            missing = ", ".join(path for path in action.paths if path not in seen)
            action.error = f"{missing}: headline not shown within {self.visible_within} s"

    def poll(self, action, path, seen):
        deadline = action.published + self.visible_within
        marker = str(escape(action.headline)).encode()
        while True:
            sent = time.monotonic()
            status, _, body = fetch(self.port, path)
            if status == 200 and marker in body:
                seen[path] = max(0.0, sent - action.published)
                return
            # A publish the admin refused after all will never show: stop looking.
            if time.monotonic() > deadline or action.error:
                return
            time.sleep(VISIBILITY_POLL_SECONDS)
