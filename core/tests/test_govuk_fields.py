"""Each GOV.UK field type as {% gov_field %} renders it: the markup a browser and a screen reader need (input types,
names, ids, labels, fieldset and legend for groups, hint and error ids in aria-describedby, saved values checked,
the error message and the error classes). No database: the form is made here."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.template import Context, Template
from django.utils.datastructures import MultiValueDict

from core.forms import GovDateField, GovForm
from core.tests.html import Element, parse

COLOURS = [("red", "Red"), ("green", "Green"), ("blue", "Blue"), ("white", "White")]


class ExampleForm(GovForm):
    name = forms.CharField(label="First name", max_length=10, help_text="As on their passport")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, max_length=20)
    born = GovDateField(label="Date of birth", label_text="Date of birth", help_text="For example, 27 3 2015")
    sex = forms.ChoiceField(label="Sex", choices=[("F", "Female"), ("M", "Male")], widget=forms.RadioSelect)
    colours = forms.MultipleChoiceField(
        label="Favourite colours", choices=COLOURS, widget=forms.CheckboxSelectMultiple, help_text="Tick all that apply"
    )
    team = forms.ChoiceField(label="Team", choices=[("", "Select a team"), ("1", "Team A"), ("2", "Team B")])
    agree = forms.BooleanField(label="They agree", required=False)
    seen = forms.ChoiceField(
        label="Was the child seen?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect
    )
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        required=False,
    )
    why_not = forms.CharField(label="Why not?", required=False, max_length=30)

    reveal = {"seen": {"yes": ["seen_alone"], "no": ["why_not"]}}


def render(form: forms.Form, field: str, **options: Any) -> Element:
    opts = " ".join(f'{k}="{v}"' for k, v in options.items())
    html = Template("{% load govuk_forms %}{% gov_field f." + field + " " + opts + " %}").render(Context({"f": form}))
    return parse(html)


def invalid(data: dict[str, Any]) -> ExampleForm:
    form = ExampleForm(data)
    assert not form.is_valid()
    return form


def group(root: Element) -> Element:
    return root.find_all("div", class_="govuk-form-group")[0]  # the outermost


def assert_error(root: Element, field_id: str, message: str) -> None:
    assert "govuk-form-group--error" in group(root).classes
    error = root.by_id(f"{field_id}-error")
    assert "govuk-error-message" in error.classes
    assert error.text == f"Error: {message}"


def test_text_input_label_hint_and_value():
    root = render(ExampleForm(initial={"name": "Amelia"}), "name", width="govuk-input--width-20")
    box = root.one("input")
    assert (box.get("type"), box.get("name"), box.get("id"), box.get("value")) == ("text", "name", "id_name", "Amelia")
    assert "govuk-input--width-20" in box.classes
    assert root.label_for("id_name") == "First name"
    assert root.by_id("id_name-hint").text == "As on their passport"
    assert box.get("aria-describedby") == "id_name-hint"
    assert "govuk-form-group--error" not in group(root).classes


def test_text_input_error_keeps_what_was_typed_and_is_described():
    root = render(invalid({"name": "Bartholomew-James"}), "name")
    box = root.one("input")
    assert box.get("value") == "Bartholomew-James"
    assert box.get("aria-describedby") == "id_name-hint id_name-error"
    assert "govuk-input--error" in box.classes
    assert_error(root, "id_name", "First name must be 10 characters or fewer")


def test_textarea():
    root = render(invalid({"notes": "x" * 25}), "notes", rows=4)
    area = root.one("textarea")
    assert (area.get("name"), area.get("id"), area.get("rows"), area.text) == ("notes", "id_notes", "4", "x" * 25)
    assert root.label_for("id_notes") == "Notes"
    assert area.get("aria-describedby") == "id_notes-error"
    assert "govuk-textarea--error" in area.classes
    assert_error(root, "id_notes", "Notes must be 20 characters or fewer")
    assert not render(ExampleForm(), "notes").find_all(class_="govuk-error-message")


def test_date_is_three_labelled_boxes_in_a_fieldset():
    root = render(ExampleForm(initial={"born": date(2015, 3, 27)}), "born")
    fieldset = root.one("fieldset")
    assert fieldset.get("role") == "group"
    assert fieldset.one("legend").text == "Date of birth"
    assert fieldset.get("aria-describedby") == "id_born-hint"
    boxes = fieldset.find_all("input")
    assert [b.get("name") for b in boxes] == ["born_0", "born_1", "born_2"]
    assert [b.get("value") for b in boxes] == ["27", "3", "2015"]
    assert [root.label_for(b.get("id")) for b in boxes] == ["Day", "Month", "Year"]
    assert all(b.get("inputmode") == "numeric" and b.get("type") == "text" for b in boxes)


def test_date_error():
    root = render(invalid({"born_0": "31", "born_1": "2", "born_2": "2015"}), "born")
    fieldset = root.one("fieldset")
    assert fieldset.get("aria-describedby") == "id_born-hint id_born-error"
    assert_error(root, "id_born", "Date of birth must be a real date")
    assert all("govuk-input--error" in b.classes for b in fieldset.find_all("input"))
    assert [b.get("value") for b in fieldset.find_all("input")] == ["31", "2", "2015"]
    root = render(invalid({}), "born")
    assert_error(root, "id_born", "Enter the date of birth")


def test_radios_in_a_fieldset_with_the_chosen_one_checked():
    root = render(ExampleForm({"sex": "M"}), "sex", inline="True")
    fieldset = root.one("fieldset")
    assert fieldset.one("legend").text == "Sex"
    assert "govuk-radios--inline" in root.one(class_="govuk-radios").classes
    radios = fieldset.find_all("input")
    assert [(r.get("type"), r.get("name"), r.get("value")) for r in radios] == [
        ("radio", "sex", "F"),
        ("radio", "sex", "M"),
    ]
    assert [root.label_for(r.get("id")) for r in radios] == ["Female", "Male"]
    assert [r.get("checked") is not None for r in radios] == [False, True]


def test_radios_error():
    root = render(invalid({}), "sex")
    assert root.one("fieldset").get("aria-describedby") == "id_sex-error"
    assert_error(root, "id_sex", "Select the sex")
    assert not [r for r in root.find_all("input") if r.get("checked") is not None]


def test_checkboxes_are_checkboxes_and_every_saved_value_is_ticked():
    root = render(ExampleForm(initial={"colours": ["red", "blue"]}), "colours")
    fieldset = root.one("fieldset")
    assert fieldset.one("legend").text == "Favourite colours"
    assert fieldset.get("aria-describedby") == "id_colours-hint"
    boxes = fieldset.find_all("input")
    assert {b.get("type") for b in boxes} == {"checkbox"} and {b.get("name") for b in boxes} == {"colours"}
    assert len({b.get("id") for b in boxes}) == 4
    assert [root.label_for(b.get("id")) for b in boxes] == ["Red", "Green", "Blue", "White"]
    assert [b.get("value") for b in boxes if b.get("checked") is not None] == ["red", "blue"]


def test_checkboxes_keep_every_value_ticked_when_posted():

    form = ExampleForm(MultiValueDict({"colours": ["green", "blue", "white"]}))
    form.is_valid()
    assert form.cleaned_data["colours"] == ["green", "blue", "white"]
    boxes = render(form, "colours").find_all("input")
    assert [b.get("value") for b in boxes if b.get("checked") is not None] == ["green", "blue", "white"]


def test_checkboxes_error():
    root = render(invalid({}), "colours")
    assert root.one("fieldset").get("aria-describedby") == "id_colours-hint id_colours-error"
    assert_error(root, "id_colours", "Select the favourite colours")


def test_select_with_the_saved_option_selected():
    root = render(ExampleForm(initial={"team": "2"}), "team")
    select = root.one("select")
    assert (select.get("name"), select.get("id")) == ("team", "id_team")
    assert root.label_for("id_team") == "Team"
    options = select.find_all("option")
    assert [o.text for o in options] == ["Select a team", "Team A", "Team B"]
    assert [o.get("value") for o in options if o.get("selected") is not None] == ["2"]
    root = render(invalid({}), "team")
    assert "govuk-select--error" in root.one("select").classes
    assert root.one("select").get("aria-describedby") == "id_team-error"
    assert_error(root, "id_team", "Select the team")


def test_single_checkbox():
    root = render(ExampleForm({"agree": "on"}), "agree")
    box = root.one("input")
    assert (box.get("type"), box.get("name"), box.get("id")) == ("checkbox", "agree", "id_agree")
    assert box.get("checked") is not None
    assert root.label_for("id_agree") == "They agree"
    assert render(ExampleForm(), "agree").one("input").get("checked") is None


def test_conditional_reveal_renders_the_follow_up_inside_its_choice_once():
    form = ExampleForm({"seen": "no"})
    whole = parse(
        Template("{% load govuk_forms %}{% for field in f %}{% gov_field field %}{% endfor %}").render(
            Context({"f": form})
        )
    )
    assert len(whole.find_all("input", name="seen_alone")) == 2  # once, not again on its own
    assert len(whole.find_all("input", name="why_not")) == 1
    yes, no = whole.find_all("input", name="seen")
    assert yes.get("data-aria-controls") == "conditional-id_seen_0"
    assert no.get("data-aria-controls") == "conditional-id_seen_1"
    alone = whole.by_id("conditional-id_seen_0")
    why = whole.by_id("conditional-id_seen_1")
    assert "govuk-radios__conditional--hidden" in alone.classes  # "Yes" not chosen: hidden until it is
    assert "govuk-radios__conditional--hidden" not in why.classes  # "No" chosen: its question shows
    assert why.one("input").get("name") == "why_not" and whole.label_for("id_why_not") == "Why not?"
    assert alone.one("fieldset").one("legend").text == "Was the child seen alone?"
    # The radios' module wires data-aria-controls to the conditional block (GOV.UK Frontend's JavaScript).
    assert whole.by_id("conditional-id_seen_0").parent.get("data-module") == "govuk-radios"


def test_follow_up_error_shows_inside_the_reveal():
    form = ExampleForm({"seen": "no", "why_not": "y" * 40})
    form.is_valid()
    root = render(form, "seen")
    why = root.by_id("conditional-id_seen_1")
    assert why.by_id("id_why_not-error").text == 'Error: The answer to "Why not?" must be 30 characters or fewer'


def test_error_summary_links_to_the_first_box_or_option():
    form = invalid({"name": "x" * 11})
    root = parse(Template("{% load govuk_forms %}{% error_summary f %}").render(Context({"f": form})))
    links = {a.text: a.get("href") for a in root.find_all("a")}
    assert links["First name must be 10 characters or fewer"] == "#id_name"
    assert links["Enter the date of birth"] == "#id_born_0"
    assert links["Select the sex"] == "#id_sex_0"
    assert links["Select the favourite colours"] == "#id_colours_0"
    assert links["Select the team"] == "#id_team"
    assert root.one("h2").text == "There is a problem"
    assert render(ExampleForm(), "name").find_all(class_="govuk-error-summary") == []


def test_an_option_can_have_a_hint_that_its_radio_points_to():
    class Hinted(ExampleForm):
        choice_hints = {"sex": {"F": "As on the birth certificate"}}

    root = render(Hinted(), "sex")
    female, male = root.one("fieldset").find_all("input")
    assert female.get("aria-describedby") == "id_sex_0-hint"
    hint = root.by_id("id_sex_0-hint")
    assert hint.text == "As on the birth certificate" and "govuk-radios__hint" in hint.classes
    assert male.get("aria-describedby") is None
