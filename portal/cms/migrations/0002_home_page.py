"""Replace Wagtail's placeholder page with the portal's home page."""

from django.db import migrations


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("cms", "HomePage")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home", content_type__app_label="wagtailcore").delete()
    root = Page.objects.get(depth=1)
    content_type, _ = ContentType.objects.get_or_create(app_label="cms", model="homepage")
    locale = Locale.objects.first()
    # treebeard's API is not available on historical models; compute the path.
    last = Page.objects.filter(depth=2).order_by("-path").first()
    step = int(last.path[-4:], 36) + 1 if last else 1
    path = root.path + _base36(step).rjust(4, "0")
    home = HomePage.objects.create(
        title="中国国际贸易单一窗口",
        title_en="China International Trade Single Window",
        draft_title="中国国际贸易单一窗口",
        slug="home",
        content_type=content_type,
        path=path,
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        intro="<p>企业一次申报，全程跟踪审批状态，在线领取许可证件。</p>",
        intro_en="<p>File once, follow every approval live, and receive your certificates online.</p>",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "单一窗口"},
    )


def _base36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
