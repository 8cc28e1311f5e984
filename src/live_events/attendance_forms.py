"""The forms of the attendance pages: the event's minimum, and mapping a participant."""

from __future__ import annotations

from django import forms

from live_events.models import AttendanceMinimum


class AttendanceMinimumForm(forms.Form):
    attendance_minimum = forms.ChoiceField(
        label="Counts as attended",
        choices=AttendanceMinimum.choices,
        widget=forms.RadioSelect,
        help_text="Sessions already fetched are counted again with the new minimum.",
    )
    attendance_minimum_value = forms.IntegerField(
        label="Minutes or percentage",
        required=False,
        min_value=1,
        help_text="For “at least a number of minutes” the minutes (1 to 1440); for a "
        "percentage, 1 to 100 of the scheduled duration. Not used for any presence.",
    )


class ParticipantMapForm(forms.Form):
    participant = forms.CharField(widget=forms.HiddenInput, max_length=320)
    learner = forms.TypedChoiceField(
        label="This participant is", coerce=int, help_text="Learners enrolled in the course."
    )

    def __init__(self, *args: object, learners: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["learner"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a learner"), *learners]
