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


MAP_LASTS = (
    "Remembered for the course's later sessions too: Zoom knows this participant by a Zoom "
    "account or an email."
)
MAP_THIS_SESSION = (
    "For this session only: a guest who gave Zoom only a typed name could be someone else next "
    "time, so later sessions list them again."
)


class ParticipantMapForm(forms.Form):
    participant = forms.CharField(widget=forms.HiddenInput, max_length=320)
    learner = forms.TypedChoiceField(label="This participant is", coerce=int)

    def __init__(
        self,
        *args: object,
        learners: list[tuple[int, str]],
        lasting: bool = True,
        **kwargs: object,
    ) -> None:
        """`lasting`: whether the mapping holds for the course's later sessions (said beside the
        choice)."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["learner"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a learner"), *learners]
        field.help_text = MAP_LASTS if lasting else MAP_THIS_SESSION
        if isinstance(self.auto_id, str) and "%s" in self.auto_id:
            # The words beside the choice (attendance_session.html) describe the select.
            field.widget.attrs["aria-describedby"] = f"{self.auto_id % 'learner'}_scope"
