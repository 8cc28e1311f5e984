from __future__ import annotations

from django import forms


class LessonTitleForm(forms.Form):
    title = forms.CharField(max_length=200, label="Lesson title")


class TextComponentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Text")
