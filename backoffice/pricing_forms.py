"""The forms of the Prices and Import / export pages: they read what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import Category, Item
from orders.prices import ROUNDING_STEPS, cents_from_euros
from tables.models import Outlet

WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]
ROUNDING_LABELS = {1: _("1 cent"), 5: _("5 cents"), 10: _("10 cents"), 50: _("50 cents"), 100: _("whole euros")}


class EurosField(forms.CharField):
    """Euros typed as the screen's language writes them ("12,50" or "12.50"), cleaned to cents."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            cents = cents_from_euros(value)
        except ValueError:
            raise forms.ValidationError(_("Enter an amount in euros, e.g. 12,50.")) from None
        if cents < 0:
            raise forms.ValidationError(_("A price is 0 or more."))
        return cents


class PercentField(forms.DecimalField):
    def to_python(self, value):
        return super().to_python(value.replace(",", ".") if isinstance(value, str) else value)


class PriceChangeForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("The whole outlet")
    )
    percent = PercentField(label=_("Change (%)"), max_digits=6, decimal_places=2)
    rounding = forms.TypedChoiceField(
        label=_("Round to"), coerce=int, choices=[(step, ROUNDING_LABELS[step]) for step in ROUNDING_STEPS]
    )
    starts_on = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: now. A later day makes a scheduled price list."),
    )
    name = forms.CharField(label=_("Name of the price list"), max_length=80, required=False)

    def __init__(self, *args, outlet: Outlet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(menu__outlet=outlet).select_related("menu")


class HappyHourForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    weekdays = forms.MultipleChoiceField(label=_("Days"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple)
    starts_at = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends_at = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label="—"
    )
    percent_off = PercentField(label=_("% off"), max_digits=5, decimal_places=2, required=False)
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none(), required=False, empty_label="—")
    price = EurosField(label=_("Item price (€)"), required=False)

    def __init__(self, *args, outlet: Outlet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(menu__outlet=outlet)
        self.fields["item"].queryset = Item.objects.filter(category__menu__outlet=outlet)

    def clean(self):
        data = super().clean()
        if bool(data.get("category")) != (data.get("percent_off") is not None):
            self.add_error("percent_off", _("Give a category and its % off together."))
        if bool(data.get("item")) != (data.get("price") is not None):
            self.add_error("price", _("Give an item and its price together."))
        return data


class ImportForm(forms.Form):
    outlet = forms.ModelChoiceField(label=_("Into outlet"), queryset=Outlet.objects.all(), empty_label=None)
    file = forms.FileField(label=_("Menu file (CSV)"))

    MAX_BYTES = 2_000_000

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is too big (at most 2 MB)."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as CSV in UTF-8.")) from None


class CopyMenuForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Copy the menu of"), queryset=Outlet.objects.all(), empty_label=None)
    target = forms.ModelChoiceField(label=_("To outlet"), queryset=Outlet.objects.all(), empty_label=None)
