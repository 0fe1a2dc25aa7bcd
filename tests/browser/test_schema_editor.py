"""Building a schema with the form: add, rename, reorder and retire labels, a colour and a
shortcut (a conflict is refused), a description in the live palette preview; then a typo in the
advanced JSON is kept, with the error beside its line."""

import pytest

from annotate.models import Project, Role, SchemaVersion
from tests.browser.conftest import log_in, sign_in
from tests.factories import PASSWORD, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"wide": (1400, 900), "medium": (960, 900), "phone": (390, 844)}


@pytest.fixture
def page(browser):
    """An English page (the messages asserted are the English ones)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en")
    yield context.new_page()
    context.close()


def test_building_a_schema_with_the_form(page, live_server, artifacts_dir):
    manager = make_user("mona")
    project = make_project("الرقة 2017", members={manager: Role.MANAGER})
    log_in(page, live_server, "mona", PASSWORD)
    page.goto(f"{live_server.url}/projects/{project.pk}/schema/edit/")
    rows = page.locator("#entity-table tbody tr")
    assert rows.count() == 7

    page.click("#add-label")
    new = rows.nth(7)
    new.locator("input").nth(0).fill("WEAPON")
    new.locator("input").nth(1).fill("سلاح")
    new.locator("input[type=color]").fill("#123456")
    shortcut = new.locator("input.shortcut-input")
    shortcut.fill("1")
    # A shortcut another label has: refused beside the field, and the save held back.
    assert new.locator(".field-error").inner_text() == "already the shortcut of Person"
    assert shortcut.get_attribute("aria-invalid") == "true"
    assert page.locator("#save-schema").is_disabled()
    shortcut.fill("8")
    assert new.locator(".field-error").inner_text() == ""
    assert page.locator("#save-schema").is_enabled()
    new.locator("input").nth(4).fill("أسلحة وذخائر")
    new.locator(".order button").first.click()  # move up: before Date
    rows.nth(0).locator("input").nth(1).fill("شخص")  # rename Person
    rows.nth(7).locator("input[type=checkbox]").check()  # retire Date (now last)

    preview = page.locator("#palette-preview .label-button")
    assert preview.count() == 8  # 6 entity labels + the new one + the claim label
    weapon = page.locator("#palette-preview .label-button", has_text="سلاح")
    assert weapon.get_attribute("title") == "أسلحة وذخائر"
    assert weapon.locator("kbd").inner_text() == "8"
    assert page.locator("#palette-preview").inner_text().count("Date") == 0
    page.screenshot(path=str(artifacts_dir / "schema-editor-form.png"), full_page=True)

    page.fill("#id_note", "added weapons")
    page.click("#save-schema")
    page.locator(".message-success").wait_for()
    assert "Schema saved (version 2)." in page.locator(".messages").inner_text()
    project.refresh_from_db()
    keys = [label["key"] for label in project.schema["entity_labels"]]
    assert keys == ["PER", "ORG", "LOC", "GPE", "MILITARY_GROUP", "EVENT", "WEAPON", "DATE"]
    weapon_label = project.schema["entity_labels"][6]
    assert weapon_label == {
        "key": "WEAPON",
        "name": "سلاح",
        "color": "#123456",
        "shortcut": "8",
        "retired": False,
        "description": "أسلحة وذخائر",
    }
    assert project.schema["entity_labels"][0]["name"] == "شخص"
    assert project.schema["entity_labels"][7]["retired"] is True
    assert SchemaVersion.objects.get(project=project, version=2).note == "added weapons"


def test_a_typo_in_the_advanced_json_is_kept_with_the_error_beside_its_line(
    page, live_server, artifacts_dir
):
    manager = make_user("mona")
    project = make_project("p", members={manager: Role.MANAGER})
    log_in(page, live_server, "mona", PASSWORD)
    page.goto(f"{live_server.url}/projects/{project.pk}/schema/edit/")
    page.click("#advanced summary")
    text = page.locator("#id_schema").input_value()
    typed = text.replace('"name": "Person",', '"name": "Person"', 1)
    page.fill("#id_schema", typed)
    assert "The JSON has an error" in page.locator("#json-error").inner_text()
    page.click("#save-schema")
    page.locator("#schema-error").wait_for()
    assert page.locator("#id_schema").input_value() == typed  # nothing typed is lost
    line = typed[: typed.index('"name": "Person"')].count("\n") + 2  # the error is on the next
    assert page.locator("#json-error").inner_text().startswith(f"Line {line}: not valid JSON")
    assert f"⚠ {line}" in page.locator("#json-gutter").inner_text()
    assert page.locator("#schema-error").inner_text().startswith(f"Line {line}")
    page.screenshot(path=str(artifacts_dir / "schema-editor-json-error.png"), full_page=True)
    assert Project.objects.get(pk=project.pk).schema_version == 1


def test_schema_editor_at_three_sizes(browser, live_server, artifacts_dir):
    manager = make_user("mona")
    project = make_project("الرقة 2017", members={manager: Role.MANAGER})
    for language in ("en", "ar"):
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            sign_in(context, live_server, manager)
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/projects/{project.pk}/schema/edit/")
            page.locator("#palette-preview .label-button").first.wait_for()
            page.screenshot(
                path=str(artifacts_dir / f"schema-editor-{language}-{size}.png"), full_page=True
            )
            context.close()
