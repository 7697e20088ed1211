"""Demo accounts and public pages for a laptop; never loaded in production.

Idempotent: everything is found by a natural key first, so a second run
changes nothing (passwords are set only when an account is created).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.models import Site

from filings import registry
from filings.selectors import approval_settings
from notifications.models import Channel, Subscription
from portal.accounts import services as accounts
from portal.accounts.models import Enterprise, Invitation, User
from portal.cms import services as cms_services
from portal.cms.models import (
    Feedback,
    GuidanceDownload,
    GuidanceIndexPage,
    GuidancePage,
    HelpPage,
    HelpQuestion,
    HomePage,
    ModuleHelpPage,
    PortListPage,
)
from portal.reference.models import Authority, Module, Region
from portal.transactions import durable
from workflows.services import save_approval_settings

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USCC = "91110108MA01C2D3XY"
DEMO_AUTHORITY = "DA-110000"


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of ASCII text, built by hand."""
    stream = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _accounts() -> None:
    if not Enterprise.objects.filter(uscc=DEMO_USCC).exists():
        accounts.register_enterprise(
            username="demo-owner",
            password=DEMO_PASSWORD,
            name_zh="北京示范医药进出口有限公司",
            name_en="Beijing Demo Pharmaceutical Import & Export Co., Ltd.",
            uscc=DEMO_USCC,
            address="北京市海淀区中关村大街1号",
            contact_name="王经理",
            contact_phone="010-62345678",
            contact_email="owner@demo.example.cn",
            trade_registration_number="01234567",
        )
    if not Enterprise.objects.filter(uscc=DEMO_USCC).exclude(address_en="").exists():
        # As on its foreign-trade operator record: drug permits start from it.
        accounts.update_enterprise_profile(
            owner=User.objects.get(username="demo-owner"),
            address_en="No. 1 Zhongguancun Street, Haidian District, Beijing",
        )
    if not User.objects.filter(username="demo-agent").exists():
        owner = User.objects.get(username="demo-owner")
        invitation = accounts.invite_agent(
            owner=owner,
            name="李经办",
            email="agent@demo.example.cn",
            modules=[Module.DRUG_PERMIT, Module.AUTO_IMPORT_LICENCE],
            accept_url_base=settings.WAGTAILADMIN_BASE_URL,
        )
        accounts.accept_invitation(
            invitation=Invitation.objects.get(pk=invitation.pk),
            username="demo-agent",
            password=DEMO_PASSWORD,
        )
    authority = Authority.objects.get(code=DEMO_AUTHORITY)
    for level, name in enumerate(("张受理", "李初审", "王复审", "赵审定"), start=1):
        accounts.create_approver(
            username=f"drug-l{level}",
            password=DEMO_PASSWORD,
            authority=authority,
            system=Module.DRUG_PERMIT,
            level=level,
            first_name=name,
        )
    admin = accounts.create_authority_admin(
        username="drug-admin", password=DEMO_PASSWORD, authority=authority, first_name="许管理"
    )
    if not approval_settings(authority=authority, system=Module.DRUG_PERMIT):
        # Four approvers, four stages: the demo authority uses the whole chain.
        save_approval_settings(
            actor=admin.user,
            authority=authority,
            system=Module.DRUG_PERMIT,
            values={
                "levels": [1, 2, 3, 4],
                "name_zh": authority.name_zh,
                "name_en": authority.name_en,
                "phone": "010-83979999",
                "address": "北京市通州区留庄路6号",
                "postcode": "101117",
                "contact": "行政许可处",
            },
        )
    accounts.create_editor(username="editor", password=DEMO_PASSWORD)
    # Regulators at each level; all but "regulator-noright" may read the export drug archive.
    for username, region_code, modules in (
        ("regulator-national", "000000", [Module.EXPORT_DRUG_ARCHIVE]),
        ("regulator", authority.province, [Module.EXPORT_DRUG_ARCHIVE]),
        ("regulator-haidian", "110108", [Module.EXPORT_DRUG_ARCHIVE]),
        ("regulator-noright", authority.province, []),
    ):
        accounts.create_regulator(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            region=Region.objects.get(code=region_code),
            modules=modules,
        )
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@singlewindow.local", DEMO_PASSWORD)


def _child(parent, model, slug: str, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
    return page


def _site_content() -> None:
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    guides = _child(
        home,
        GuidanceIndexPage,
        "guidance",
        title="办事指南",
        title_en="Guidance",
        show_in_menus=True,
        intro="<p>各项许可申请的办理依据、材料清单和填报说明。</p>",
        intro_en="<p>Legal basis, required documents and how to fill in each application.</p>",
    )
    guide = _child(
        guides,
        GuidancePage,
        "drug-permit",
        module=Module.DRUG_PERMIT,
        title="蛋白同化制剂、肽类激素进出口准许证申请指南",
        title_en="Guide to import/export permits for anabolic agents and peptide hormones",
        intro="<p>适用于向省级药品监督管理部门申请进出口准许证的企业。</p>",
        intro_en="<p>For enterprises applying to a provincial medical products administration.</p>",
        body=(
            "<h2>申请条件</h2><p>企业须已完成对外贸易经营者备案登记。进口须经国家指定的药品进口口岸。</p>"
            "<h2>办理流程</h2><ol><li>填写申请并暂存</li><li>上传盖章申请表及附件（PDF）</li>"
            "<li>申报，等待受理、初审、复审和审定</li><li>审批通过后领取准许证</li></ol>"
        ),
        body_en=(
            "<h2>Who may apply</h2><p>The enterprise must have its foreign-trade operator record. "
            "Imports must enter through a designated drug import port.</p>"
            "<h2>Steps</h2><ol><li>Fill in and save the application</li>"
            "<li>Upload the stamped form and attachments (PDF)</li>"
            "<li>Submit; it is accepted, reviewed and decided</li>"
            "<li>Receive the permit once approved</li></ol>"
        ),
    )
    if not guide.downloads.exists():
        document = Document(title="申请材料清单 Checklist")
        document.file.save("checklist.pdf", ContentFile(_minimal_pdf("Application checklist")))
        document.save()
        GuidanceDownload.objects.create(
            page=guide, document=document, label="申请材料清单", label_en="Document checklist"
        )
    _child(
        guides,
        GuidancePage,
        "auto-import-licence",
        module=Module.AUTO_IMPORT_LICENCE,
        title="自动进口许可证（非机电类）申请指南",
        title_en="Guide to automatic import licences (non-mechanical/electrical)",
        body="<p>先进行电子许可证预校验，再录入申请，由商务部配额许可证事务局审核发证。</p>",
        body_en="<p>Run the electronic-licence pre-check, then enter the application; the "
        "licence bureau reviews it and issues the licence.</p>",
    )
    _child(
        guides,
        GuidancePage,
        "av-import",
        module=Module.AV_IMPORT,
        title="音像制品进口申请指南",
        title_en="Guide to importing audio-video products",
        body="<p>录入节目信息并上传版权授权文件，由审批部门审核后签发批准单。</p>",
        body_en="<p>Enter the programmes and upload the copyright licence; the authority "
        "reviews them and issues the approval.</p>",
    )
    _child(
        guides,
        GuidancePage,
        "export-drug-archive",
        module=Module.EXPORT_DRUG_ARCHIVE,
        title="出口药品档案信息采集填报说明",
        title_en="How to fill in an export drug archive",
        body="<p>每个出口药品填报一份档案；提交后由所在辖区的药品监管部门查阅，只能变更不能删除。</p>",
        body_en="<p>Keep one record per exported drug; the drug regulators of your "
        "jurisdiction read what you submit. A submitted record is changed, never deleted.</p>",
    )
    # Demo data loaded before guidance pages named their system: name it now.
    for slug, module in (
        ("drug-permit", Module.DRUG_PERMIT),
        ("auto-import-licence", Module.AUTO_IMPORT_LICENCE),
    ):
        page = GuidancePage.objects.child_of(guides).filter(slug=slug, module="").first()
        if page is not None:
            page.module = module
            page.save_revision().publish()
    help_page = _child(
        home,
        HelpPage,
        "help",
        title="常见问题",
        title_en="Help and FAQ",
        show_in_menus=True,
        intro="<p>使用单一窗口时的常见问题。</p>",
        intro_en="<p>Common questions about using the single window.</p>",
    )
    if not help_page.questions.exists():
        HelpQuestion.objects.create(
            page=help_page,
            sort_order=0,
            question="如何为经办人开通业务权限？",
            question_en="How do I give an agent access to a filing system?",
            answer="<p>法人账号登录后进入“经办人”，邀请经办人并勾选其可办理的业务模块。</p>",
            answer_en="<p>Sign in as the owner, open Agents, invite the agent and tick the "
            "modules they may use.</p>",
        )
        HelpQuestion.objects.create(
            page=help_page,
            sort_order=1,
            question="统一社会信用代码校验不通过怎么办？",
            question_en="My unified social credit code is rejected. What now?",
            answer="<p>请核对营业执照上的18位代码，注意字母 O 与数字 0 的区别。</p>",
            answer_en="<p>Check the 18 characters on the business licence; the letter O is "
            "never used, only the digit 0.</p>",
        )
    _child(
        home,
        PortListPage,
        "designated-ports",
        title="药品进口指定口岸",
        title_en="Designated drug import ports",
        show_in_menus=True,
        intro="<p>蛋白同化制剂、肽类激素须经下列指定口岸进口。</p>",
        intro_en="<p>Anabolic agents and peptide hormones may only be imported through these "
        "ports.</p>",
    )
    if site.hostname != "localhost":
        site.hostname = "localhost"
        site.save(update_fields=["hostname"])


# Every demo account comes enrolled in the second factor with a fixed TOTP secret
# (listed in README.md; the demo is for laptops only), so sign-in works at once.
DEMO_TOTP_SECRETS = {
    "demo-owner": "VGRWIGYTZEAABERW52TT5WPHALGZGEF7",
    "demo-agent": "PUQRV24EHGMKUGVVPY3P3PYGHDATJ45U",
    "drug-l1": "GE2U4Q7FCZCTTTASQLNM7HI22UMXQGRS",
    "drug-l2": "FD2AFULJIAMVGCLP4WFWM676G3ZQ7ZSW",
    "drug-l3": "FELNJBE7EJFWDP3ULPPS7C3J65QNEJ7D",
    "drug-l4": "A4SV4LIHUWKMHNIF5JEVU6MX7CEU7LDE",
    "drug-admin": "ANQ2LUWTXPGQQAUD6ZIG4HMAHX63M5ZV",
    "av-reviewer": "EIHZ6MH3PUXZF6MADWWWNQME3K26CWOM",
    "av-admin": "E3UXRJTZJB7REEJFSDGWGM4EDGBCSA7M",
    "licence-l1": "JL4AAADTPWTSCIUU3U53MKCDXP6CP7TM",
    "licence-l2": "X3KDFNWDLISUWVYCIVHPFSRTWLDN3CYL",
    "licence-admin": "TFR5GCCCD4X7EP2WEB5TSSVIW3UJTFBD",
    "editor": "34PZTLUS5HLP6UMZUBDYTIXMYTEQHXOA",
    "regulator": "TBHOBTKXR6DMYZWNJ4KRQEML7KH32RRP",
    "regulator-national": "UGCWRIUVWURMUQ2EP427FJ5S6QHMDXJQ",
    "regulator-haidian": "V22XGB4AN2GSWUXNWU5WTN3VCHSK7GCD",
    "regulator-noright": "3HYTSYDW3MSUF6PFUXTEMNZNJUB5U2QX",
    "admin": "DC4CLAVXLMKQMI4EU5TK4X43I6WFIAT3",
}


def _second_factors() -> None:
    from portal.accounts import second_factor

    for user in User.objects.filter(username__in=DEMO_TOTP_SECRETS):
        if not second_factor.is_enrolled(user):
            second_factor.enrol_with_secret(user, DEMO_TOTP_SECRETS[user.username])


def load_demo() -> None:
    if not settings.DEMO_DATA_ENABLED:
        raise ImproperlyConfigured("Demo data is disabled in these settings (production).")
    # No transaction around it all: the services it calls are top-level (durable) and
    # commit one by one; every step is idempotent, so a load that stopped half-way is
    # finished by running it again.
    _accounts()
    with durable():
        _site_content()
    _module_help()
    with durable():
        _subscriptions()
    # Each system's own demo filings, through its services (uploads commit on their own).
    owner = User.objects.get(username="demo-owner")
    for system in registry.all_systems():
        system.load_demo(owner=owner)
    with durable():
        _second_factors()


def _module_help() -> None:
    """The export drug archive's help page (帮助文档): its manual and whom to ask.  The
    numbers and addresses are invented for the demo."""
    help_page = HelpPage.objects.get(slug="help")
    if ModuleHelpPage.objects.filter(module=Module.EXPORT_DRUG_ARCHIVE).exists():
        return
    manual = Document(title="出口药品档案信息采集操作手册（示例）")
    manual.file.save(
        "export-drug-archive-manual.pdf",
        ContentFile(_minimal_pdf("Export drug archive - user manual (demo)")),
        save=False,
    )
    manual.save()
    _child(
        help_page,
        ModuleHelpPage,
        "export-drug-archive",
        title="出口药品档案信息采集",
        title_en="Export drug archive",
        module=Module.EXPORT_DRUG_ARCHIVE,
        manual=manual,
        intro="<p>药品生产企业填报出口药品档案；提交后由所在辖区的药品监管部门查阅。"
        "已提交的档案不能删除，只能变更，每次提交的版本均予保留。</p>",
        intro_en="<p>Manufacturers keep one record per exported drug; the drug regulators of "
        "their jurisdiction read what was submitted. A submitted record is never deleted, "
        "only changed, and every submitted version is kept.</p>",
        contacts="<p>咨询电话：010-5555-0300（工作日 9:00–17:00）</p>"
        "<p>电子邮件：help@singlewindow.example.cn</p>",
        contacts_en="<p>Phone: +86 10 5555 0300 (working days 9:00–17:00)</p>"
        "<p>E-mail: help@singlewindow.example.cn</p>",
    )
    owner = User.objects.get(username="demo-owner")
    if not Feedback.objects.filter(user=owner).exists():
        editor = User.objects.get(username="editor")
        asked = cms_services.submit_feedback(
            user=owner,
            module=Module.EXPORT_DRUG_ARCHIVE,
            subject="变更后原版本还能查看吗？",
            body="我们变更了阿莫西林胶囊的规格，之前提交的版本是否仍保留？",
        )
        cms_services.answer_feedback(
            editor=editor,
            feedback=asked,
            answer="保留。每次提交的版本都可在档案详情的“已提交版本”中查看和比较。",
        )


def _subscriptions() -> None:
    """The demo owner follows every application of its enterprise in the browser."""
    owner = User.objects.get(username="demo-owner")
    Subscription.objects.get_or_create(
        user=owner,
        enterprise_id=owner.membership.enterprise_id,
        filing=None,
        channel=Channel.BROWSER,
        cancelled_at=None,
    )
