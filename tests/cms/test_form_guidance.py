"""Filing guidance (seed 001 §4.1.2): editors choose in Wagtail which guidance page
guides which filing system; every system's create and edit forms link it, in the
reader's language, through one shared lookup; and the drug permit's remarks say when to
note controlled drugs or returned exports."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings import registry
from portal.accounts.models import User
from portal.cms.models import GuidancePage
from portal.cms.selectors import guidance_page
from portal.reference.models import Module

from ..conftest import client_for
from ..systems import SCENARIOS

LINK = "Guidance for this form"


@pytest.fixture(scope="module")
def site(module_db, django_db_blocker):
    """The demo (its guidance pages and filings), loaded once; each test's changes roll back."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=open("/dev/null", "w"))


def _client(language="en"):
    client = client_for(User.objects.get(username="demo-owner"))
    client.cookies["django_language"] = language
    return client


def _create_url(system):
    return reverse(f"{system.url_namespace}:create")


def _draft_url(system):
    """The edit form: the detail page of one of the demo owner's drafts of ``system``."""
    draft = (
        system.model.objects.filter(
            enterprise__members__user__username="demo-owner", status=system.draft_state
        )
        .order_by("pk")
        .first()
    )
    if draft is None:
        owner = User.objects.get(username="demo-owner")
        scenario = SCENARIOS[system.key]
        draft = scenario.draft(owner, scenario.authority())
    return reverse(f"{system.url_namespace}:detail", args=[draft.number])


@pytest.mark.django_db
@pytest.mark.parametrize("system", registry.all_systems(), ids=lambda s: s.key)
def test_each_systems_forms_link_its_guidance_in_the_readers_language(site, system):
    guide = guidance_page(system.key)
    assert guide is not None, f"the demo gives {system.key} a guidance page"
    assert guide.title_en
    for url in (_create_url(system), _draft_url(system)):
        english = _client("en").get(url)
        assert english.status_code == 200, url
        page = english.content.decode()
        assert LINK in page, url
        assert f'href="{guide.url}"' in page and guide.title_en in page
        chinese = _client("zh-hans").get(url).content.decode()
        assert f'href="{guide.url}"' in chinese and guide.title in chinese
        assert guide.title_en not in chinese


@pytest.mark.django_db
def test_no_link_without_a_live_guidance_page_and_none_on_a_page_not_editable(site):
    system = registry.get(Module.AV_IMPORT)
    guide = guidance_page(system.key)
    guide.module = ""
    guide.save_revision().publish()
    assert guidance_page(system.key) is None
    page = _client().get(_create_url(system)).content.decode()
    assert LINK not in page and 'id="guidance"' not in page
    # A page chosen but not live (unpublished) is not linked either.
    guide.module = system.key
    guide.save_revision().publish()
    guide.unpublish()
    assert LINK not in _client().get(_create_url(system)).content.decode()
    # The drug permit's link names its own page, never another system's.
    drug = registry.get(Module.DRUG_PERMIT)
    page = _client().get(_create_url(drug)).content.decode()
    assert guidance_page(drug.key).title_en in page
    assert GuidancePage.objects.get(module=Module.AUTO_IMPORT_LICENCE).title_en not in page
    # A submitted filing's page is no form: no guidance link there.
    submitted = drug.model.objects.filter(
        enterprise__members__user__username="demo-owner", status="APPROVED"
    ).first()
    assert submitted is not None
    detail = _client().get(reverse("drug_permits:detail", args=[submitted.number]))
    assert detail.status_code == 200 and LINK not in detail.content.decode()


@pytest.mark.django_db
def test_the_lookup_is_one_query_whatever_the_form_holds(site):
    system = registry.get(Module.DRUG_PERMIT)
    client = _client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_create_url(system))
    assert response.status_code == 200 and LINK in response.content.decode()
    guidance = [q["sql"] for q in queries.captured_queries if "cms_guidancepage" in q["sql"]]
    assert len(guidance) == 1, guidance


@pytest.mark.django_db
def test_editors_choose_the_system_in_wagtail(site):
    editor = client_for(User.objects.get(username="editor"))
    guide = GuidancePage.objects.get(module=Module.DRUG_PERMIT)
    form = editor.get(reverse("wagtailadmin_pages:edit", args=[guide.pk]))
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="module"' in html and 'value="DRUG_PERMIT" selected' in html


@pytest.mark.django_db
def test_the_remarks_say_when_to_note_controlled_drugs_or_returned_exports(site):
    page = _client().get(reverse("drug_permits:create")).content.decode()
    assert 'id="id_remarks_helptext"' in page
    assert "controlled drugs" in page and "exported drugs being returned" in page
