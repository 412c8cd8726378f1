from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Citation, FocusArea, Organisation, Partnership, Person, Region, Source

admin.site.register([Region, FocusArea])
admin.site.register([Organisation, Partnership, Person, Source, Citation], SimpleHistoryAdmin)
