"""Two levels exchange case notes on one filing (issue 15): level 1 writes a note and
accepts; level 2 opens the filing, reads level 1's note beside its decision, and replies
with the keyboard alone; level 1 reads the reply.  The enterprise sees none of it."""

import pytest

from portal.accounts.models import User
from portal.reference.models import Authority
from workflows import services

from ..drug_permit_helpers import complete_draft
from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WHY = "Level 1: the importer's licence was checked by phone with the Beijing bureau."
REPLY = "Level 2: noted; I asked the importer for the original contract."


def name_of(username):
    user = User.objects.get(username=username)
    return user.get_full_name() or user.username


def test_two_levels_exchange_case_notes_on_one_filing(page, demo):
    owner = User.objects.get(username="demo-owner")
    application = complete_draft(owner, Authority.objects.get(code="DA-110000"))
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    number = application.number
    todo = f"{page.base}/admin/drug-permit/todo/{number}/"

    # Level 1: a note, then the decision.
    sign_in(page, "drug-l1")
    page.goto(todo)
    page.fill("#case-note-text", WHY)
    page.click("#case-note-form button[name=case_note]")
    page.wait_for_load_state()
    assert page.locator("#case-notes .case-note__text").inner_text() == WHY
    page.get_by_label("受理", exact=True).check()
    page.fill("#id_opinion", "材料齐全，予以受理。")
    page.fill("#id_notice_number", "京药受〔2026〕9号")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#decision button[name=decide]")
    page.wait_for_load_state()
    page.context.clear_cookies()

    # Level 2: level 1's note and decision together, then a reply typed and sent by keyboard.
    sign_in(page, "drug-l2")
    page.goto(todo)
    note = page.locator("#case-notes .case-note").first
    assert note.locator(".case-note__text").inner_text() == WHY
    assert name_of("drug-l1") in note.inner_text()
    assert "受理" in note.locator(".case-note__level").inner_text()
    assert "材料齐全，予以受理。" in page.locator("#history").inner_text()
    page.focus("#case-note-text")
    page.keyboard.type(REPLY)
    page.keyboard.press("Tab")  # the optional PDFs
    page.keyboard.press("Tab")  # the button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    texts = page.locator("#case-notes .case-note__text").all_inner_texts()
    assert texts == [WHY, REPLY]
    page.context.clear_cookies()

    # Level 1 reads the reply on the filing it passed on.
    sign_in(page, "drug-l1")
    page.goto(f"{page.base}/admin/drug-permit/query/{number}/")
    notes = page.locator("#case-notes .case-note")
    assert notes.nth(1).locator(".case-note__text").inner_text() == REPLY
    assert name_of("drug-l2") in notes.nth(1).inner_text()
    page.locator("#case-notes").scroll_into_view_if_needed()
    page.screenshot(path="var/screenshots/case-notes.png")
    page.context.clear_cookies()

    # The enterprise's page of the same filing holds neither note.
    sign_in(page, "demo-owner")
    page.goto(f"{page.base}/drug-permits/{number}/")
    body = page.locator("body").inner_text()
    assert number in body and WHY not in body and REPLY not in body
