from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from maillage.core.geojson import GeoJSONError, bounding_box, centroid, validate_geometry
from maillage.territories.models import Territory


class TerritoryAdminForm(forms.ModelForm):
    class Meta:
        model = Territory
        fields = ["name", "slug", "kind", "parent", "official_code", "description", "geometry"]

    def clean_geometry(self):
        geometry = self.cleaned_data.get("geometry")
        if geometry in (None, "", {}):
            return None
        try:
            return validate_geometry(geometry)
        except GeoJSONError as error:
            raise ValidationError(f"GeoJSON: {error}") from None


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    form = TerritoryAdminForm
    list_display = ["name", "kind", "parent", "official_code"]
    list_filter = ["kind"]
    search_fields = ["name", "official_code"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        if obj.geometry:
            obj.centroid_lon, obj.centroid_lat = centroid(obj.geometry)
            obj.bbox = bounding_box(obj.geometry)
        obj.depth = obj.parent.depth + 1 if obj.parent else 0
        super().save_model(request, obj, form, change)
        path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
        if path != obj.path:
            old = obj.path
            obj.path = path
            obj.save(update_fields=["path", "depth"])
            if old:
                for child in Territory.objects.filter(path__startswith=old).exclude(pk=obj.pk):
                    child.path = path + child.path[len(old) :]
                    child.depth = child.path.strip("/").count("/")
                    child.save(update_fields=["path", "depth"])
