from django.urls import include, path

from accounts import views as account_views
from accounts.admin_urls import invite_urlpatterns
from casework import views as site_views
from casework.api import api
from casework.api_docs import api_docs

urlpatterns = [
    path("", site_views.home, name="home"),
    # /healthz is answered by core.health.HealthCheckMiddleware, before sessions and the request's transaction.
    path("accounts/invitation/", include(invite_urlpatterns)),
    path("accounts/password/reset/", account_views.password_reset, name="account_reset_password"),
    path("accounts/", include("allauth.urls")),
    path("notifications", account_views.notifications, name="notifications"),
    path("notifications/<int:pk>/open", account_views.notification_open, name="notification_open"),
    path("people/", include("people.urls")),
    path("people/", include("recording.urls")),
    path("cases/", include("cases.urls")),
    path("forms/", include("forms.urls")),
    path("returns/", include("returns.urls")),
    path("", include("documents.urls")),
    path("", include("bundles.urls")),
    path("performance/", include("returns.dashboards.urls")),
    path("sync/", include("sync.urls")),
    path("retention/", include("retention.urls")),
    path("administration/tokens/", include("accounts.token_urls")),
    path("administration/", include("accounts.admin_urls")),
    path("mobile/", include("sync.urls_app")),
    path("api/v1/docs", api_docs, name="api_docs"),
    path("api/v1/", api.urls),
]

handler400 = site_views.bad_request
handler403 = site_views.permission_denied
handler404 = site_views.page_not_found
handler500 = site_views.server_error
