"""The forms of the manager's staff pages: they read and check the input; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from staff.models import Role

PIN_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4,6}"})
MOMENT_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PersonForm(forms.Form):
    display_name = forms.CharField(label=_("Name on the sign-in screen"), max_length=60)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)


class NewPersonForm(PersonForm):
    pin = forms.RegexField(
        label=_("PIN"),
        regex=r"^[0-9]{4,6}$",
        error_messages={"invalid": _("A PIN is 4 to 6 digits.")},
        widget=PIN_INPUT,
        help_text=_("4 to 6 digits. Tell it to the person; it is never shown again."),
    )


class PinForm(forms.Form):
    """A PIN the manager types; empty with `generate` makes one up."""

    pin = forms.RegexField(
        label=_("New PIN"),
        regex=r"^[0-9]{4,6}$",
        required=False,
        error_messages={"invalid": _("A PIN is 4 to 6 digits.")},
        widget=PIN_INPUT,
    )
    generate = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("generate") and not data.get("pin") and "pin" not in self.errors:
            raise ValidationError({"pin": _("Type a new PIN, or generate one.")})
        return data


class ShiftTimesForm(forms.Form):
    clocked_in_at = forms.DateTimeField(label=_("Clocked in"), widget=MOMENT_INPUT)
    clocked_out_at = forms.DateTimeField(label=_("Clocked out"), widget=MOMENT_INPUT, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ForgottenShiftForm(ShiftTimesForm):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, choices=())

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(person.pk, str(person)) for person in people]
        self.order_fields(["person", "clocked_in_at", "clocked_out_at", "reason"])


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(label=_("Who"), coerce=int, required=False, empty_value=None, choices=())
    action = forms.ChoiceField(label=_("What"), required=False, choices=())
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, people=(), actions=(), action_label=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", _("Anyone"))] + [(person.pk, str(person)) for person in people]
        self.fields["action"].choices = [("", _("Anything"))] + [(action, action_label(action)) for action in actions]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ValidationError({"until": _("The end comes before the start.")})
        return data


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the field it names (or above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)
