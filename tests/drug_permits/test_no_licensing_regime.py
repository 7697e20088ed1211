"""Exports to a country without an import licensing regime (seed 000 §4.3.1 tip, seed 001
§4.2.3 tip): editors flag the country; the filer is told what to attach; submitting needs
the proof that no import licence is needed plus one of two alternatives (a rule object,
``rules.OneOf``); the approver's detail shows which alternative was given."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from portal.drug_permits.models import DrugPermitStatus as S
from portal.drug_permits.system import (
    AUTHORITY_CONSENT,
    IMPORTER_QUALIFICATION,
    LAWFUL_USE_PROOF,
    NO_LICENCE_PROOF,
)
from portal.reference.models import Country, PurposeAttachment
from workflows import services

from ..conftest import client_for as signed_in
from ..drug_permit_helpers import draft, line, pdf, system

PROOF_MISSING = "Attach the proof that no import licence is needed."
ALTERNATIVE_MISSING = (
    "Attach either the importing authority's consent, or the importer's qualification "
    "and the proof of lawful use."
)


def client_for(user):
    """Signed in, reading the portal in English."""
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _flag(code="KE"):
    Country.objects.filter(code=code).update(no_drug_import_licensing=True)
    return Country.objects.get(code=code)


def _export(owner, authority, country_code="KE", direction="EXPORT"):
    """A draft with its purpose's required attachments and one line to ``country_code``."""
    ports = {"import_port_1": None, "export_port_1": "天津新港"} if direction == "EXPORT" else {}
    application = draft(owner, authority, direction=direction, **ports)
    services.add_line(
        filing=application,
        actor=owner,
        values=line(country=Country.objects.get(code=country_code)),
    )
    for kind in application.purpose.attachment_types.filter(required=True):
        _attach(application, owner, kind)
    return application


def _attach(application, owner, kind):
    if isinstance(kind, str):
        kind = PurposeAttachment.objects.get(key=kind)
    services.upload_attachment(
        filing=application, actor=owner, attachment_type=kind, uploaded_file=pdf(f"{kind.pk}.pdf")
    )


def _submit_errors(application, owner) -> list[str]:
    with translation.override("en"):
        try:
            services.submit(filing=application, actor=owner, second_factor_verified=True)
        except ValidationError as error:
            return [str(m) for m in error.messages]
    return []


CASES = [
    # (attached conditional types, messages of the refusal; [] = accepted)
    ([NO_LICENCE_PROOF, AUTHORITY_CONSENT], []),
    ([NO_LICENCE_PROOF, IMPORTER_QUALIFICATION, LAWFUL_USE_PROOF], []),
    ([], [PROOF_MISSING, ALTERNATIVE_MISSING]),
    ([NO_LICENCE_PROOF], [ALTERNATIVE_MISSING]),
    ([NO_LICENCE_PROOF, IMPORTER_QUALIFICATION], [ALTERNATIVE_MISSING]),
    ([AUTHORITY_CONSENT], [PROOF_MISSING]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("attached", "refusal"), CASES)
def test_an_export_to_a_flagged_country_needs_the_proof_and_one_alternative(
    attached, refusal, chain, owner, authority
):
    _flag("KE")
    application = _export(owner, authority)
    for key in attached:
        _attach(application, owner, key)
    errors = _submit_errors(application, owner)
    assert errors == refusal
    application.refresh_from_db()
    assert application.status == (S.DRAFT if refusal else S.PENDING_ACCEPTANCE)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "direction"), [("DK", "EXPORT"), ("KE", "IMPORT")])
def test_an_import_or_an_export_to_an_unflagged_country_is_not_affected(
    code, direction, chain, owner, authority
):
    _flag("KE")
    application = _export(owner, authority, country_code=code, direction=direction)
    listed = {t.key for t in system().attachment_types(application)}
    assert NO_LICENCE_PROOF not in listed
    # Nor can such a file be uploaded there: the type belongs to no list of this filing.
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            _attach(application, owner, NO_LICENCE_PROOF)
        assert "another purpose" in " ".join(str(m) for m in refused.value.messages)
    assert _submit_errors(application, owner) == []


@pytest.mark.django_db
def test_the_filer_is_told_what_to_attach_and_the_submit_page_says_what_is_missing(
    chain, owner, authority
):
    _flag("KE")
    application = _export(owner, authority)
    owner_client = client_for(owner)
    url = reverse("drug_permits:detail", args=[application.number])
    page = owner_client.get(url).content.decode()
    assert 'id="no-licensing"' in page and "Kenya does not license imports" in page
    assert "the proof from the importing country" in page
    assert "consent to import the drug" in page and "use is lawful" in page
    # The conditional types are upload lines of the checklist now.
    for key in (NO_LICENCE_PROOF, AUTHORITY_CONSENT, IMPORTER_QUALIFICATION, LAWFUL_USE_PROOF):
        kind = PurposeAttachment.objects.get(key=key)
        assert f'data-attachment-type="{kind.pk}"' in page

    _attach(application, owner, NO_LICENCE_PROOF)
    kind = PurposeAttachment.objects.get(key=IMPORTER_QUALIFICATION)
    response = owner_client.post(
        reverse("drug_permits:upload", args=[application.number, kind.pk]),
        {"file": pdf("qualification.pdf")},
    )
    assert response.status_code == 302
    response = owner_client.post(
        reverse("drug_permits:submit", args=[application.number]),
        follow=True,
    )
    assert ALTERNATIVE_MISSING.replace("'", "&#x27;") in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.DRAFT


@pytest.mark.django_db
def test_no_notice_for_an_export_to_an_unflagged_country(chain, owner, authority):
    application = _export(owner, authority, country_code="DK")
    owner_client = client_for(owner)
    page = owner_client.get(
        reverse("drug_permits:detail", args=[application.number])
    ).content.decode()
    assert 'id="no-licensing"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attached", "given"),
    [
        ([AUTHORITY_CONSENT], "alternative given: importing authority&#x27;s consent"),
        (
            [IMPORTER_QUALIFICATION, LAWFUL_USE_PROOF],
            "alternative given: importer&#x27;s qualification and proof of lawful use",
        ),
    ],
)
def test_the_approver_detail_shows_the_alternative_given(attached, given, chain, owner, authority):
    _flag("KE")
    application = _export(owner, authority)
    for key in (NO_LICENCE_PROOF, *attached):
        _attach(application, owner, key)
    assert _submit_errors(application, owner) == []
    page = (
        client_for(chain[1])
        .get(
            reverse("drug-permit:todo_detail", args=[application.number]),
        )
        .content.decode()
    )
    assert 'id="conditions"' in page
    assert "No import licensing regime in Kenya" in page
    assert f"proof attached; {given}" in page


@pytest.mark.django_db
def test_the_approver_detail_of_an_ordinary_export_has_no_conditions(chain, owner, authority):
    application = _export(owner, authority, country_code="DK")
    assert _submit_errors(application, owner) == []
    page = (
        client_for(chain[1])
        .get(reverse("drug-permit:todo_detail", args=[application.number]))
        .content.decode()
    )
    assert 'id="conditions"' not in page


@pytest.mark.django_db
def test_an_editor_flags_a_country_in_the_reference_data(seeded):
    from portal.accounts import services as accounts

    from ..conftest import PASSWORD

    kenya = Country.objects.get(code="KE")
    assert not kenya.no_drug_import_licensing
    url = reverse("wagtailsnippets_reference_country:edit", args=[kenya.pk])
    form = {
        "code": kenya.code,
        "name_zh": kenya.name_zh,
        "name_en": kenya.name_en,
        "alpha3": kenya.alpha3,
        "numeric": kenya.numeric,
        "no_drug_import_licensing": "on",
    }
    editor = client_for(accounts.create_editor(username="editor-ke", password=PASSWORD))
    page = editor.get(url).content.decode()
    assert 'name="no_drug_import_licensing"' in page
    response = editor.post(url, {**form, "action-submit": "1"})
    assert response.status_code == 302
    kenya.refresh_from_db()
    # An editor's change waits for moderation; the draft holds the flag.
    assert not kenya.no_drug_import_licensing
    assert kenya.get_latest_revision_as_object().no_drug_import_licensing
    moderator = client_for(
        accounts.create_editor(username="moderator-ke", password=PASSWORD, moderator=True)
    )
    response = moderator.post(url, {**form, "action-publish": "1"})
    assert response.status_code == 302
    kenya.refresh_from_db()
    assert kenya.no_drug_import_licensing and kenya.live


@pytest.mark.django_db
def test_moderators_rename_a_conditional_attachment_type_and_editors_cannot(seeded):
    from portal.accounts import services as accounts

    from ..conftest import PASSWORD

    kind = PurposeAttachment.objects.get(key=AUTHORITY_CONSENT)
    url = reverse("wagtailsnippets_reference_conditionalattachmenttype:edit", args=[kind.pk])
    form = {"name_zh": "进口国药品管理机构同意进口证明", "name_en": "Consent to import"}
    editor = client_for(accounts.create_editor(username="editor-ct", password=PASSWORD))
    response = editor.post(url, form)
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    kind.refresh_from_db()
    assert kind.name_en != "Consent to import"

    moderator = client_for(
        accounts.create_editor(username="moderator-ct", password=PASSWORD, moderator=True)
    )
    listing = moderator.get(reverse("wagtailsnippets_reference_conditionalattachmenttype:list"))
    assert listing.status_code == 200 and AUTHORITY_CONSENT in listing.content.decode()
    # Only the conditional types are listed, not the purposes' checklists.
    assert "营业执照复印件" not in listing.content.decode()
    response = moderator.post(url, form)
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.name_zh, kind.name_en, kind.key) == (
        "进口国药品管理机构同意进口证明",
        "Consent to import",
        AUTHORITY_CONSENT,
    )
    # A later load of the reference data keeps the moderator's names.
    from portal.reference.loading import load_reference_data

    assert load_reference_data()["conditional_attachments.csv"] == (0, 0)
    kind.refresh_from_db()
    assert kind.name_en == "Consent to import"
