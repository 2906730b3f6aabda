"""The crawlers of the load test in a process of their own at the lowest priority (nice 19).
In production they run on other machines; here they share the server's cores, and a robot
asking again without pause would otherwise take the CPU gunicorn needs and measure the
machine, not the server. They still never pause and never wait on Retry-After; what they
measured goes back to the parent's Stats at the end."""

import multiprocessing
import os

from tests.loadtest import client

FIRST_ADDRESS = 2  # 127.0.0.1 is the capturistas' and reviewers'
KINDS = (client.CRAWL, client.CRAWL_LIMITED)


class Crawlers:
    """`count` crawlers of `server` = (host, port) until the monotonic `deadline`, timed on
    the clock of `stats` (time.monotonic is one clock for every process)."""

    def __init__(self, server, count, stats, deadline, seed=1):
        self.process = None
        if not count:
            return
        context = multiprocessing.get_context("spawn")  # the parent has threads: no fork
        self.results, sender = context.Pipe(duplex=False)
        self.process = context.Process(
            target=crawl,
            args=(server, count, stats.start, deadline, seed, sender),
            name="rastreadores",
            daemon=True,
        )
        self.process.start()
        sender.close()

    def finish(self, stats):
        """Waits for the crawlers and adds what they measured to `stats`."""
        if self.process is None:
            return
        try:
            measured = self.results.recv()
        except EOFError:  # the process died without a word
            stats.fail(client.CRAWL, f"el proceso de los rastreadores terminó con {self.exit()}")
            return
        self.exit()
        stats.merge(measured)

    def exit(self):
        self.process.join()
        return self.process.exitcode


def crawl(server, count, start, deadline, seed, sender):
    """The child process: lowest priority, then every crawler until the deadline."""
    os.nice(19)
    stats = client.Stats()
    stats.start = start
    robots = [
        client.Crawler(server, f"127.0.0.{FIRST_ADDRESS + n}", stats, deadline, seed * 3000 + n)
        for n in range(count)
    ]
    for robot in robots:
        robot.start()
    for robot in robots:
        robot.join()
    sender.send(stats.measured(KINDS))
    sender.close()
