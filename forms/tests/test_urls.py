"""The forms app's pages are included once: Django's URL checks are clean (W005 was a second include of forms.urls)."""

from django.core import checks
from django.urls import reverse


def test_the_url_checks_raise_nothing():
    assert [m.id for m in checks.run_checks(tags=[checks.Tags.urls])] == []


def test_every_forms_page_still_reverses_under_forms():
    assert reverse("forms:person_forms", args=[1]) == "/forms/people/1/"
    assert reverse("forms:to_authorise") == "/forms/to-authorise"
    assert reverse("forms:response", args=[2]) == "/forms/responses/2/"
