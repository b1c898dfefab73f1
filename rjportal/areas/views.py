from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from rjportal.listing import paginate, sort_queryset
from rjportal.organisations.models import Organisation

from .models import PoliceArea
from .selectors import area_list, area_recorded_crime

AREA_COLUMNS = {
    "name": ("Police area", "name"),
    "region": ("Region", "region"),
    "population": ("Population", "population"),
    "crime": ("Recorded crime", "recorded_crime_total"),
}


class PoliceAreaListView(ListView):
    template_name = "areas/list.html"
    context_object_name = "areas"

    def get_queryset(self):
        self.search = self.request.GET.get("q", "").strip()
        areas, self.year_ending = area_list(search=self.search)
        areas, self.sort_headers = sort_queryset(self.request, areas, columns=AREA_COLUMNS, default="name")
        return areas

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.object_list)
        my_codes = set(PoliceArea.objects.for_user(self.request.user).values_list("code", flat=True))
        context.update(
            areas=page,
            pagination=pagination,
            search=self.search,
            sort_headers=self.sort_headers,
            year_ending=self.year_ending,
            my_codes=my_codes,
        )
        return context


class PoliceAreaDetailView(DetailView):
    template_name = "areas/detail.html"
    context_object_name = "area"

    def get_object(self, queryset=None):
        # Reference data about every area is open to every signed-in user.
        return get_object_or_404(PoliceArea, code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        year_ending, crime_rows = area_recorded_crime(area)
        context.update(
            governing_bodies=area.governing_bodies.order_by("-start_date"),
            year_ending=year_ending,
            crime_rows=crime_rows,
            organisations=Organisation.objects.serving(area).order_by("kind", "name"),
            is_my_area=PoliceArea.objects.for_user(self.request.user).filter(pk=area.pk).exists(),
        )
        return context
