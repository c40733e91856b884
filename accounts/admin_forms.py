"""The forms of the administration pages. Rules live in accounts.services; these only read what was typed."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import GovDateField, GovForm

from .models import Role, Team, TeamKind
from .services import SETTINGS_BOUNDS


class DetailsForm(GovForm):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    job_title = forms.CharField(label="Job title (optional)", max_length=120, required=False)
    phone = forms.CharField(
        label="Phone number (optional)",
        max_length=30,
        required=False,
        help_text="Colleagues see it as who to contact about the children this person works with",
    )


class InviteForm(DetailsForm):
    email = forms.EmailField(label="Email address", max_length=254, help_text="They sign in with it")
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.order_by("name"), empty_label="Select a team")
    role = forms.ChoiceField(label="Role in the team", choices=Role.choices, widget=forms.RadioSelect)

    field_order = ["first_name", "last_name", "email", "job_title", "phone", "team", "role"]


class DisableForm(GovForm):
    reason = forms.CharField(
        label="Why is the account being disabled?",
        max_length=500,
        widget=forms.Textarea,
        help_text="For example, left the council on 30 November, or a suspected misuse reported to the service desk",
        error_messages={"required": "Enter why the account is being disabled"},
    )


class MembershipAddForm(GovForm):
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.order_by("name"), empty_label="Select a team")
    role = forms.ChoiceField(label="Role in the team", choices=Role.choices, widget=forms.RadioSelect)
    started_on = GovDateField(label_text="Holds the role from", help_text="For example, 27 3 2026")


class MembershipEndForm(GovForm):
    ended_on = GovDateField(
        label_text="Last day in the role",
        help_text="They keep the role until the end of this day. To stop someone using Casework at once, disable "
        "their account.",
    )


class TeamForm(GovForm):
    name = forms.CharField(label="Team name", max_length=120)
    kind = forms.ChoiceField(
        label="What kind of team is it?",
        choices=TeamKind.choices,
        widget=forms.RadioSelect,
        help_text="Only assessment, safeguarding, looked after children and leaving care teams hold cases and "
        "receive referrals",
    )


class SettingsForm(GovForm):
    allocation_grace_days = forms.IntegerField(
        label="Allocation grace period, in days",
        help_text="How long a worker keeps seeing a child's record after their allocation ends (0 to 365)",
    )
    last_team_days = forms.IntegerField(
        label="Last team's period, in days",
        help_text="How long the team that last held a case keeps seeing the record after it closes (0 to 365)",
    )
    break_glass_hours = forms.IntegerField(
        label="Break-glass time, in hours",
        help_text="How long a record opened by break-glass stays open (1 to 24 hours)",
    )
    idle_timeout_minutes = forms.IntegerField(
        label="Idle timeout, in minutes",
        help_text="Minutes without activity before someone is signed out (5 to 120)",
    )
    absolute_timeout_hours = forms.IntegerField(
        label="Longest session, in hours",
        help_text="Hours after signing in that someone is signed out, however active (1 to 24)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (_low, _high, label, unit) in SETTINGS_BOUNDS.items():
            # The service holds the bounds; the form only needs a whole number, with a message that says the range.
            self.fields[name].error_messages["invalid"] = f"{label} must be a whole number of {unit}"
            self.fields[name].error_messages["required"] = f"Enter {label[0].lower()}{label[1:]}, in {unit}"


class PasswordForm(GovForm):
    password = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few unrelated words make a good password.",
        strip=False,
    )
    password_again = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", "The passwords do not match")
        return data
