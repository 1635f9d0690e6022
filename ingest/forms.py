from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dashboard.models import Organisation


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "id": "upload-files"}))
        # An empty file is still recorded and answered with a clear message by the pipeline.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return [single(f, initial) for f in files if f]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("报告文件"),
        help_text=_("可一次选择多个文件，或上传 .zip 压缩包。支持网页、文本、Word、PDF。"),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError(_("请选择至少一个文件。"))
        if len(files) > settings.UPLOAD_MAX_FILES:
            raise forms.ValidationError(_("一次最多上传 %(n)s 个文件。") % {"n": settings.UPLOAD_MAX_FILES})
        return files


class PlacementForm(forms.Form):
    """The uploader tells us which organisation and year a report belongs to."""

    organisation = forms.ModelChoiceField(
        label=_("所属单位"),
        queryset=Organisation.objects.filter(merged_into__isnull=True).order_by("full_name"),
        to_field_name="public_id",
    )
    year = forms.IntegerField(label=_("报告年度"), min_value=2008, max_value=2100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            from dashboard import access

            # Only organisations the user may act on can be chosen.
            self.fields["organisation"].queryset = self.fields["organisation"].queryset.filter(
                access.organisations_q(user)
            )
