"""Form plumbing shared by every GOV.UK-styled form in the portal."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout


def gds_helper(form, submit_label: str, *, method: str = "post", secondary: bool = False) -> FormHelper:
    """A crispy-forms-gds helper that lays out the form's fields in order, followed by a
    real <button> (GOV.UK buttons are buttons, not inputs)."""
    helper = FormHelper(form)
    helper.form_method = method
    button = Button.secondary if secondary else Button.primary
    helper.layout = Layout(*form.fields, button("submit", submit_label))
    return helper
