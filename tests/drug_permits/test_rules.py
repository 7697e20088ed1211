"""Each domain rule of the drug permit, enforced by the services (not only by a form):
a draft saved, a line added, a file uploaded or a filing submitted through any path
meets the same rule with the same message."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from filings.models import ApprovalSettings
from portal.reference.models import Authority, Module, Port, Purpose
from workflows import services

from ..drug_permit_helpers import PDF, complete_draft, draft, header, line, pdf, system


def _errors(call) -> dict:
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            call()
        return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


def _create(owner, authority, **values):
    return lambda: services.create_draft(
        system=system(), actor=owner, values=header(authority, **values)
    )


HEADER_CASES = [
    # (values, field, words of the message)
    ({"is_agent": True, "principal_name": "委托方"}, "principal_uscc", "principal's USCC"),
    (
        {"is_agent": True, "principal_uscc": "91110108MA01C2D3X1", "principal_name": "委托方"},
        "principal_uscc",
        "unified social credit code",
    ),
    ({"is_agent": True, "principal_uscc": "91110108MA01C2D3XY"}, "principal_name", "name"),
    ({"collection_method": "MAIL"}, "mail_address", "mailing address"),
    ({"import_port_1": None}, "import_port_1", "import port 1"),
    ({"direction": "EXPORT", "import_port_1": None}, "export_port_1", "export port 1"),
    (
        {
            "direction": "EXPORT",
            "import_port_1": None,
            "export_port_1": "上海",
            "export_port_2": "上海",
        },
        "export_port_2",
        "differ",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "field", "words"), HEADER_CASES)
def test_header_rules(values, field, words, chain, owner, authority):
    errors = _errors(_create(owner, authority, **values))
    assert field in errors
    assert words.lower() in " ".join(errors[field]).lower()


@pytest.mark.django_db
def test_ports_must_differ_and_be_designated(chain, owner, authority):
    port = Port.objects.get(code="2233")
    errors = _errors(_create(owner, authority, import_port_2=port))
    assert "differ" in " ".join(errors["import_port_2"])
    plain = Port.objects.filter(is_designated_drug_port=False).first()
    errors = _errors(_create(owner, authority, import_port_1=plain))
    assert "designated" in " ".join(errors["import_port_1"])


@pytest.mark.django_db
def test_an_authority_without_initial_values_takes_no_filings(chain, owner):
    idle = (
        Authority.objects.exclude(approval_settings__system=Module.DRUG_PERMIT)
        .filter(kind="DRUG_ADMINISTRATION")
        .first()
    )
    errors = _errors(_create(owner, idle))
    assert "initial values" in " ".join(errors["authority"])


@pytest.mark.django_db
def test_the_purpose_must_be_the_drug_permits(chain, owner, authority):
    other = Purpose.objects.exclude(module=Module.DRUG_PERMIT).first()
    if other is None:  # the seed data holds only drug permit purposes: make one
        other = Purpose.objects.create(code="AV-X", name_zh="音像", module=Module.AV_IMPORT)
    errors = _errors(_create(owner, authority, purpose=other))
    assert "purpose" in errors


@pytest.mark.django_db
def test_the_same_rules_guard_an_update_and_a_copy(chain, owner, authority):
    application = draft(owner, authority)
    errors = _errors(
        lambda: services.update_draft(
            filing=application, actor=owner, values={"collection_method": "MAIL"}
        )
    )
    assert "mail_address" in errors
    # A copy goes through the same service: a filing to an authority that has
    # since lost its settings cannot be copied into a new draft.
    ApprovalSettings.objects.filter(authority=authority).delete()
    errors = _errors(lambda: services.copy_filing(filing=application, actor=owner))
    assert "authority" in errors


@pytest.mark.django_db
def test_line_rules_at_most_four_fixed_drug_positive_quantity(chain, owner, authority):
    application = draft(owner, authority)
    services.add_line(filing=application, actor=owner, values=line())
    errors = _errors(
        lambda: services.add_line(
            filing=application, actor=owner, values=line(drug_name_zh="别的药")
        )
    )
    assert "drug_name_zh" in errors
    errors = _errors(
        lambda: services.add_line(filing=application, actor=owner, values=line(quantity="0"))
    )
    assert "more than zero" in " ".join(errors["quantity"])
    for _ in range(3):
        services.add_line(filing=application, actor=owner, values=line())
    errors = _errors(lambda: services.add_line(filing=application, actor=owner, values=line()))
    assert "at most 4" in " ".join(errors["__all__"])
    assert application.goods_lines.count() == 4


@pytest.mark.django_db
def test_submit_needs_a_line_and_the_required_attachments(chain, owner, authority):
    application = draft(owner, authority)
    errors = _errors(
        lambda: services.submit(filing=application, actor=owner, second_factor_verified=True)
    )
    assert "goods line" in " ".join(errors["__all__"])
    services.add_line(filing=application, actor=owner, values=line())
    errors = _errors(
        lambda: services.submit(filing=application, actor=owner, second_factor_verified=True)
    )
    assert "required attachments" in " ".join(errors["__all__"])
    application.refresh_from_db()
    assert application.status == "DRAFT"


@pytest.mark.django_db
def test_attachment_rules_pdf_by_content_size_type_and_one_per_type(chain, owner, authority):
    application = draft(owner, authority)
    kind = application.purpose.attachment_types.first()

    def upload(uploaded, attachment_type=kind):
        return lambda: services.upload_attachment(
            filing=application, actor=owner, attachment_type=attachment_type, uploaded_file=uploaded
        )

    fake = SimpleUploadedFile("scan.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    assert "not a PDF" in " ".join(_errors(upload(fake))["file"])
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024 + 1))
    assert "at most 10 MB" in " ".join(_errors(upload(big))["file"])
    foreign = Purpose.objects.exclude(pk=application.purpose_id).first().attachment_types.first()
    assert "another purpose" in " ".join(_errors(upload(pdf(), foreign))["file"])
    upload(pdf())()
    assert "Delete the uploaded file" in " ".join(_errors(upload(pdf()))["file"])


@pytest.mark.django_db
def test_resubmission_needs_the_marked_attachments_replaced(chain, owner, authority):
    from ..drug_permit_helpers import decide

    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    marked = application.attachments.first()
    services.mark_attachment(filing=application, actor=chain[1], attachment=marked)
    decide(application, chain[1], "request_supplement", opinion="补正", notice_number="补1")
    application.refresh_from_db()
    errors = _errors(
        lambda: services.submit(filing=application, actor=owner, second_factor_verified=True)
    )
    assert "marked for resubmission" in " ".join(errors["__all__"])
