"""咨询与反馈 and the module's help page: an enterprise asks, the editors are told and
answer in the admin, the enterprise reads the answer; nobody else reads either."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Page

from portal.accounts import services as accounts
from portal.cms import services
from portal.cms.models import Feedback, HelpPage, ModuleHelpPage

from ..conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_feedback_reaches_the_editors_and_the_answer_the_enterprise(
    owner, owner_client, other_owner, django_capture_on_commit_callbacks
):
    editor = accounts.create_editor(username="editor-1", password=PASSWORD)
    editor.email = "editor@example.cn"
    editor.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("feedback"),
            {
                "module": "EXPORT_DRUG_ARCHIVE",
                "subject": "剂型找不到",
                "body": "缓释胶囊在哪里选？",
            },
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["editor@example.cn"]]
    item = Feedback.objects.get()

    # Another enterprise sees none of it; an empty form says what is missing.
    other = client_for(other_owner)
    assert "剂型找不到" not in other.get(reverse("feedback")).content.decode()
    page = other.post(reverse("feedback"), {"subject": "", "body": ""})
    assert page.status_code == 200 and 'class="error" role="alert"' in page.content.decode()

    # The editor answers in the admin; the asker is told by e-mail.
    editor_client = client_for(editor)
    listing = editor_client.get(reverse("feedback:index"))
    assert listing.status_code == 200 and "剂型找不到" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answered = editor_client.post(
            reverse("feedback:edit", args=[item.pk]), {"answer": "在剂型中输入“缓释”即可。"}
        )
    assert answered.status_code == 302
    item.refresh_from_db()
    assert item.answered_by == editor and item.answered_at
    assert mail.outbox[-1].to == [owner.email]
    assert "在剂型中输入" in owner_client.get(reverse("feedback")).content.decode()


def test_enterprises_cannot_answer_and_editors_cannot_forge(owner, owner_client):
    item = services.submit_feedback(user=owner, subject="问题", body="内容")
    assert owner_client.get(reverse("feedback:edit", args=[item.pk])).status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        services.answer_feedback(editor=owner, feedback=item, answer="x")


def test_module_help_page_offers_its_manual(seeded, client):
    help_page = HelpPage.objects.live().first()
    if help_page is None:
        home = Page.objects.get(depth=2)
        help_page = home.add_child(instance=HelpPage(title="帮助", slug="help"))
    manual = Document.objects.create(title="出口药品档案信息采集操作手册 V1.2")
    manual.file.save("manual.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    page = help_page.add_child(
        instance=ModuleHelpPage(
            title="出口药品档案帮助",
            slug="export-drug-archive",
            module="EXPORT_DRUG_ARCHIVE",
            manual=manual,
            contacts="<p>咨询电话：010-5555-0300</p>",
        )
    )
    html = client.get(page.url).content.decode()
    assert manual.url in html and "010-5555-0300" in html
    assert client.get(manual.url).status_code == 200
