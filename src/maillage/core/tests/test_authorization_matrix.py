"""The authorization matrices: the API's writes and every page route, declared per app.

Each capability declares, in its permissions module, who may call each of its API writes
(``API_WRITES``: ``ACCOUNT`` or ``ANYONE``). A write route that nobody declared fails the
first test, so a new route cannot ship without its rule; every route declared ``ACCOUNT`` must
refuse a visitor before touching any object.

Pages are declared the same way (``PAGES``: who may open a route, who may send it), and every
route of the URL configuration is tried on the demo by every role and a visitor, GET and POST
with a valid CSRF token, each request rolled back so that no attempt changes the next one.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from maillage.core.capabilities import configs
from maillage.core.permissions import ACCOUNT, ANYONE
from maillage.core.tests.crawl import crawl

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch", "delete"}


def _declared(attribute: str = "API_WRITES") -> dict:
    rules: dict = {}
    modules = ["maillage.core.permissions"]
    modules += [config.permissions for config in configs() if config.permissions]
    for module in modules:
        rules |= getattr(importlib.import_module(module), attribute, {})
    return rules


def _api_writes(client) -> list[str]:
    schema = client.get("/api/openapi.json").json()
    return [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    ]


def test_every_api_write_declares_who_may_call_it(client):
    writes, declared = set(_api_writes(client)), _declared()
    assert len(writes) >= 16
    assert sorted(writes - set(declared)) == [], "declare these in the app's API_WRITES"
    assert sorted(set(declared) - writes) == [], "these declared routes no longer exist"
    assert set(declared.values()) <= {ACCOUNT, ANYONE}


def test_no_write_declared_for_accounts_succeeds_for_a_visitor(client):
    declared = _declared()
    unexpected = []
    for route in _api_writes(client):
        if declared.get(route) != ACCOUNT:
            continue
        method, path = route.split(" ", 1)
        url = re.sub(r"{\w+}", "1", path)
        response = client.generic(method, url, "{}", content_type="application/json")
        if response.status_code != 401:
            unexpected.append((route, response.status_code))
    assert unexpected == []


def test_a_bad_token_is_refused_on_every_write_declared_for_accounts(client):
    declared = _declared()
    for route in _api_writes(client):
        if declared.get(route) != ACCOUNT:
            continue
        method, path = route.split(" ", 1)
        response = client.generic(
            method,
            re.sub(r"{\w+}", "1", path),
            "{}",
            content_type="application/json",
            headers={"Authorization": "Bearer mlg_not-a-token"},
        )
        assert response.status_code == 401, route


# --- Pages ------------------------------------------------------------------------------------

DEMO = "demo.maillage.test"
ROLE_EMAILS = {
    "platform admin": f"admin@{DEMO}",
    "territory admin": f"service.participation@{DEMO}",
    "facilitator": f"animatrice@{DEMO}",
    "field agent": f"agent1@{DEMO}",
    "organization admin": f"admin.asso@{DEMO}",
    "member": f"habitante@{DEMO}",
    "inhabitant": f"sans.role@{DEMO}",  # made by the test: an account holding no role at all
}
AGGLO = "bramont-agglomeration"
CSRF_SECRET = "matrixmatrixmatrixmatrixmatrix12"  # 32 characters, as Django's secrets


def _page_routes() -> dict[str, str]:
    """Every named route of the URL configuration but the API's: {view name: pattern}."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif pattern.name:
                yield namespace + pattern.name, prefix + str(pattern.pattern)

    return {name: path for name, path in walk(get_resolver().url_patterns) if path[:4] != "api/"}


def _rule(name: str, pages: dict, namespaces: dict) -> tuple[frozenset, frozenset] | None:
    return pages.get(name) or namespaces.get(name.split(":", 1)[0])


def test_every_page_route_declares_who_may_open_and_send_it():
    routes, pages = _page_routes(), _declared("PAGES")
    namespaces = _declared("PAGE_NAMESPACES")
    assert len(routes) >= 150
    assert sorted(n for n in routes if _rule(n, pages, namespaces) is None) == [], (
        "declare these in the app's PAGES"
    )
    assert sorted(set(pages) - set(routes)) == [], "these declared pages no longer exist"


def _crawled_samples(client) -> dict[str, str]:
    """One URL per view, as the platform admin finds them following links from the home page."""
    return {visit.view_name: visit.path for visit in crawl(client, skip=("/api/",))}


def _first(label: str, **filters):
    from django.apps import apps

    return apps.get_model(label).objects.filter(**filters).order_by("pk").first()


def _chosen_samples(inhabitant) -> dict[str, str]:
    """The routes the crawl does not reach, or reaches on an object no tested role holds.

    Territories are the agglomeration (where the staff roles are held), organizations the
    association (whose admin and member are tested).
    """
    from datetime import timedelta

    from django.apps import apps
    from django.contrib.auth.tokens import default_token_generator
    from django.core.files.base import ContentFile
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from maillage.people.models import Person, StaffInvitation
    from maillage.people.services import _hash, api_token_create

    agglo = _first("territories.Territory", slug=AGGLO)
    association = _first("organizations.Organization", name__startswith="Association des habit")
    StaffInvitation.objects.create(
        email=f"invitee@{DEMO}",
        territory=agglo,
        role="field_agent",
        key_hash=_hash("matrix-key"),
        expires_at=timezone.now() + timedelta(days=1),
    )
    member = Person.objects.get(email=ROLE_EMAILS["member"])
    api_token_create(person=member, actor=member, name="matrix")  # the member's to revoke
    uid = urlsafe_base64_encode(force_bytes(inhabitant.pk))
    token = default_token_generator.make_token(inhabitant)
    campaign = _first("consultations.Campaign", slug="berges-et-friche-2026")
    response = _first("consultations.Response")
    # The demo has no photo, comment nor election: one of each, made as the app would.
    photo = _first("consultations.Contribution", status="published")
    photo.photo.save("matrix.jpg", ContentFile(b"\xff\xd8\xff\xd9"))
    work = _first("cowriting.SharedWork")
    work.comments.create(
        author=work.created_by, anchor_start=b"", anchor_end=b"", text="Une remarque."
    )
    circle = _first("decisions.Circle")
    circle.elections.create(role="Animation", facilitator=circle.memberships.first().person)
    decision = _first("decisions.Decision", circle=circle)
    round_ = _first("decisions.Round")
    # Chosen by who holds them, not by the order the demo made them in: a turn the facilitator
    # holds outside any decision, and the association's open round.
    facilitator_turn = (
        apps.get_model("decisions.FacilitationTurn")
        .objects.filter(person__email=ROLE_EMAILS["facilitator"], kind="served", decision=None)
        .order_by("held_on", "pk")
        .first()
    )
    association_round = _first("journeys.Round", organization=association, closed_at=None)
    exchange = _first("pooling.Exchange")
    registration = _first("workshops.Registration")
    kwargs: dict[str, Any] = {
        "territories:detail": lambda: {"slug": AGGLO},
        "territories:place_new": lambda: {"slug": AGGLO},
        "territories:place_edit": lambda: {"slug": AGGLO},
        "territories:team": lambda: {"slug": AGGLO},
        "territories:role_end": lambda: {"pk": _first("people.TerritoryRole", territory=agglo).pk},
        "people:token_revoke": lambda: {"pk": _first("people.ApiToken").pk},
        "people:verify_email": lambda: {"uidb64": uid, "token": token},
        "people:password_reset_confirm": lambda: {"uidb64": uid, "token": token},
        "people:invitation": lambda: {"key": "matrix-key"},
        # No identity service is configured here: its pages answer 404, a link to end is none.
        "people:oidc_start": lambda: {"slug": "franceconnect"},
        "people:oidc_callback": lambda: {"slug": "franceconnect"},
        "people:oidc_logged_out": lambda: {"slug": "franceconnect"},
        "people:oidc_unlink": lambda: {"pk": 1},
        "organizations:detail": lambda: {"slug": association.slug},
        "organizations:edit": lambda: {"slug": association.slug},
        "organizations:members": lambda: {"slug": association.slug},
        "organizations:approve": lambda: {"slug": association.slug},
        "organizations:membership_end": lambda: {
            "slug": association.slug,
            "pk": association.memberships.filter(role="member").order_by("pk").first().pk,
        },
        "consultations:photo": lambda: {"path": photo.photo.name.removeprefix("consultations/")},
        "consultations:thanks": lambda: {"slug": campaign.slug},
        "consultations:manifest": lambda: {"slug": campaign.slug},
        "consultations:response_update": lambda: {
            "slug": response.campaign.slug,
            "pk": response.pk,
        },
        "consultations:response_edit": lambda: {"slug": response.campaign.slug, "pk": response.pk},
        "cowriting:objective": lambda: {"pk": work.pk},
        "cowriting:comment_resolve": lambda: {
            "pk": work.pk,
            "comment_pk": _first("cowriting.Comment", work=work).pk,
        },
        "decisions:meeting_roles": lambda: {"slug": circle.slug},
        "decisions:unavailability": lambda: {"slug": circle.slug},
        "decisions:propose": lambda: {"slug": circle.slug},
        "decisions:poll_create": lambda: {"slug": circle.slug},
        "decisions:election_create": lambda: {"slug": circle.slug},
        "decisions:amend": lambda: {"pk": decision.pk},
        "decisions:withdraw": lambda: {"pk": decision.pk},
        "decisions:assign_roles": lambda: {"pk": decision.pk},
        "decisions:round_open": lambda: {"pk": decision.pk},
        "decisions:round_close": lambda: {"pk": round_.pk},
        "decisions:answer": lambda: {"pk": round_.pk},
        "decisions:note": lambda: {"pk": round_.pk},
        "decisions:note_reply": lambda: {"pk": _first("decisions.RoundNote").pk},
        "decisions:turn_pass": lambda: {"pk": facilitator_turn.pk},
        "decisions:turn_take_over": lambda: {"pk": facilitator_turn.pk},
        "decisions:poll_close": lambda: {"pk": _first("decisions.Poll").pk},
        "decisions:election": lambda: {"pk": _first("decisions.Election").pk},
        "decisions:election_act": lambda: {"pk": _first("decisions.Election").pk},
        "decisions:register": lambda: {"slug": AGGLO},
        "decisions:feed": lambda: {"slug": AGGLO},
        "observatory:signal": lambda: {"pk": _first("observatory.WeakSignal").pk},
        "observatory:territory": lambda: {"slug": AGGLO},
        "observatory:territory_recompute": lambda: {"slug": AGGLO},
        "pooling:exchange_confirm": lambda: {"pk": exchange.pk},
        "pooling:exchange_decline": lambda: {"pk": exchange.pk},
        "pooling:exchange_feedback": lambda: {"pk": exchange.pk},
        "pooling:history": lambda: {"slug": association.slug},
        "journeys:account_start": lambda: {"slug": _first("journeys.Journey").slug},
        "journeys:round_answer": lambda: {"pk": association_round.pk},
        "journeys:round_close": lambda: {"pk": association_round.pk},
        "journeys:collective": lambda: {"slug": association.slug},
        "workshops:registration_cancel": lambda: {
            "slug": registration.workshop.slug,
            "pk": registration.pk,
        },
        "workshops:territory_ics": lambda: {"slug": AGGLO},
        "mesh:territory": lambda: {"slug": AGGLO},
        "mesh:organization": lambda: {"slug": association.slug},
        **{f"mesh:{name}": lambda: {"slug": AGGLO} for name in ("gexf", "graphml", "nodes_csv")},
        "mesh:edges_csv": lambda: {"slug": AGGLO},
    }
    samples, missing = {}, []
    for name, values in kwargs.items():
        try:
            samples[name] = reverse(name, kwargs=values())
        except AttributeError as error:  # the demo holds no such object
            missing.append(f"{name}: {error}")
    assert missing == [], f"the demo lacks objects for these samples: {missing}"
    return samples


def _admin_samples(routes: dict[str, str]) -> dict[str, str]:
    """Django's admin pages, on the first object of each model it lists."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    samples = {}
    for name, pattern in routes.items():
        if not name.startswith("admin:"):
            continue
        kwargs: dict = {}
        if "<path:content_type_id>" in pattern or "(?P<" in pattern:
            continue  # redirects and the catch-all, covered by the pages they lead to
        if "<path:object_id>" in pattern or "<id>" in pattern:
            app, _, rest = pattern.removeprefix("admin/").partition("/")
            model = apps.get_model(app, rest.split("/")[0])
            key = "object_id" if "<path:object_id>" in pattern else "id"
            first = model.objects.order_by("pk").first()
            if first is None:
                continue  # the demo has none (groups): its list and add pages are tried
            kwargs = {key: first.pk}
        try:
            samples[name] = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return samples


# Tables a request may write without doing anything: its session and the cache (rate limits).
BOOKKEEPING = ("django_session", "maillage_cache")
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', re.IGNORECASE)


def _try(client, method: str, path: str) -> tuple[int, bool]:
    """Send one request, rolled back after it; return its status and whether it wrote.

    A form refused to a role often answers with a redirection and a message rather than a
    403, so what counts for POST is what the request wrote to the database, not its status.
    """
    from copy import deepcopy

    from django.db import connection, transaction

    # Every statement, seen as it is sent. CaptureQueriesContext slices Django's query log,
    # which keeps the last 9,000 statements only: once the log was full its slice was empty,
    # and no later try's write was seen. The log filled at another try on each engine, hence
    # the engines' different readings of the turn and round routes (and 12 routes after them
    # read as closed on both).
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    cookies = deepcopy(client.cookies)  # a logout must not end the session of the next tries
    with transaction.atomic(), connection.execute_wrapper(record):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, {"csrfmiddlewaretoken": CSRF_SECRET})
        transaction.set_rollback(True)
    client.cookies = cookies
    tables = {m.group(2) for sql in statements if (m := WRITE.match(sql))}
    return response.status_code, bool(tables - set(BOOKKEEPING))


@pytest.mark.slow
def test_no_page_lets_a_role_do_more_than_its_declaration(settings, capsys):
    from django.test import Client
    from django.urls import reverse

    from maillage.demo import build_demo
    from maillage.people.models import Person

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    # Rate limits are the abuse tests' subject; here every attempt must reach the permission.
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/m")
    build_demo(quiet=True)
    agglo = _first("territories.Territory", slug=AGGLO)
    inhabitant = Person.objects.create_user(ROLE_EMAILS["inhabitant"], "x", display_name="Sans")
    inhabitant.residence_territories.add(agglo)
    admin = Client()
    admin.force_login(Person.objects.get(email=ROLE_EMAILS["platform admin"]))
    routes = _page_routes()
    plain = {
        n: reverse(n) for n, p in routes.items() if "<" not in p and not n.startswith("admin:")
    }
    samples = plain | _crawled_samples(admin) | _chosen_samples(inhabitant) | _admin_samples(routes)
    pages, namespaces = _declared("PAGES"), _declared("PAGE_NAMESPACES")
    untried = sorted(n for n in routes if n not in samples and not n.startswith("admin:"))
    assert untried == [], "give these pages a sample in _chosen_samples"

    clients = {}
    for role, email in [*ROLE_EMAILS.items(), ("visitor", None)]:
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if email:
            client.force_login(Person.objects.get(email=email))
        client.cookies["csrftoken"] = CSRF_SECRET
        clients[role] = client

    wrong, errors, observed = [], [], {}
    tried = 0
    for name, path in sorted(samples.items()):
        if name not in routes:
            continue
        may_get, may_post = _rule(name, pages, namespaces)
        got = {"GET": set(), "POST": set()}
        for role, client in clients.items():
            for method in ("GET", "POST"):
                status, wrote = _try(client, method, path)
                tried += 1
                if status >= 500:
                    errors.append(f"{method} {path} as {role}: {status}")
                if method == "GET" and wrote:
                    errors.append(f"GET {path} as {role} wrote to the database")
                if (method == "GET" and status == 200) or (method == "POST" and wrote):
                    got[method].add(role)
        observed[name] = (path, got)
        # A page declared alone is declared exactly; a namespace's rule (the admin site) is a
        # bound: some of its pages are closed to everyone (adding audit entries, say).
        if got["GET"] != set(may_get) and (name in pages or got["GET"] - set(may_get)):
            wrong.append(f"GET {name} {path}: {sorted(got['GET'])} != {sorted(may_get)}")
        if got["POST"] - set(may_post):
            wrong.append(f"POST {name} {path}: {sorted(got['POST'] - set(may_post))} too many")
    with capsys.disabled():
        print(f"\npage matrix: {len(observed)} routes x {len(clients)} roles x 2 = {tried} tries")
        for line in wrong + errors:
            print("  ", line)
    assert errors == []
    assert wrong == []
