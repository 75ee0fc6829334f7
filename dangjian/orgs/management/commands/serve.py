"""`dangjian serve`: the production WSGI server (waitress, also on Windows), static files included,
and one background worker beside it (`--workers N`, `--no-worker`)."""

import signal

from django.core.management import BaseCommand


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "用 waitress 启动服务（生产可用，Windows 亦可），并启动后台任务进程"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--workers", type=int, default=1, help="同时启动的后台任务进程数（默认 1）")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程（已在别处运行 dangjian worker）")

    def handle(self, *args, host, port, threads, workers, no_worker, **opts):
        from waitress import serve

        from dangjian.jobs.supervise import Children, worker_argv
        from dangjian.wsgi import application

        count = 0 if no_worker else max(workers, 0)
        children = Children([worker_argv() for _ in range(count)])
        self.stdout.write(f"\n服务已启动：http://{host}:{port}/   （按 Ctrl+C 停止）")
        self.stdout.write(f"后台任务进程：{count} 个" + ("" if count else "（请另行运行 dangjian worker）"))
        self.stdout.flush()
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            serve(application, host=host, port=port, threads=threads, ident="dangjian")
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            children.stop()
