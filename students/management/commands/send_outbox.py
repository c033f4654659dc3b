"""Send the tasks that waited in the outbox while the broker was down."""

from django.core.management.base import BaseCommand

from students import outbox


class Command(BaseCommand):
    help = "发送因消息队列（Redis）不可用而排队的后台任务。"

    def handle(self, *args, **options):
        sent = outbox.send_pending()
        left = outbox.pending_count()
        self.stdout.write(f"已发送 {sent} 个任务，仍待发送 {left} 个。")
        if left:
            raise SystemExit(1)
