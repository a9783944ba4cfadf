import signal
import threading

from django.conf import settings
from django.db import OperationalError, connections


class PermissionsPolicyMiddleware:
    """Turns off browser features no page uses (Django has no setting for this header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestDeadlineMiddleware:
    """
    A public request that takes longer than settings.REQUEST_DEADLINE seconds ends with the
    "try again shortly" page (503, netinfo.core.views.server_error) instead of holding its worker
    until the app server kills it without an answer. What takes that long is a database that
    keeps a connection open but stops answering: connect and statement timeouts cannot see
    it, as the client waits on an open socket.

    The clock is the process's alarm signal, which only the main thread receives: gunicorn's
    sync workers and the test client serve requests there; other threads go without. The
    admin has none: an editor's import may take long, and nothing waits for it but the editor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.REQUEST_DEADLINE
        if (
            not seconds
            or request.path_info.startswith("/admin/")
            or threading.current_thread() is not threading.main_thread()
        ):
            return self.get_response(request)
        expired = []

        def expire(signum, frame):
            expired.append(True)
            raise RequestDeadlineExceeded(
                f"No answer within {seconds} s; the database may be stalled."
            )

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return self.get_response(request)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if expired:
                # Interrupted in the middle of a query, a connection is of no further use.
                connections.close_all()


class RequestDeadlineExceeded(OperationalError):
    """Shown as the database's 503 page: the usual reason a page takes this long."""
