"""`dangjian serve`: the production WSGI server (waitress, also on Windows), static files included."""

from django.core.management import BaseCommand


class Command(BaseCommand):
    help = "用 waitress 启动服务（生产可用，Windows 亦可）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **opts):
        from waitress import serve

        from dangjian.wsgi import application

        self.stdout.write(f"\n服务已启动：http://{host}:{port}/   （按 Ctrl+C 停止）")
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="dangjian")
