from __future__ import annotations

from django import forms


class LessonTitleForm(forms.Form):
    title = forms.CharField(max_length=200, label="Lesson title")


class TextComponentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Text")


class ComponentPositionField(forms.IntegerField):
    """Where a new component goes on the lesson page (1 is the top); the end when left out."""

    def __init__(self) -> None:
        super().__init__(min_value=1, required=False, widget=forms.HiddenInput)


class TextComponentAddForm(TextComponentForm):
    position = ComponentPositionField()
