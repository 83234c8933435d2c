"""A slowloris on loopback, in its own process: ``python slowloris.py PORT COUNT SECONDS``.

COUNT clients each send a request line, then one header line every 0.5 s, never the
blank line that ends the headers; a client the server closes reconnects a second later
(as slowloris tools do, each round). Prints ``ready`` once COUNT connections were
opened, and at the end ``opened N`` (connections opened in all). Stops after SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys


async def client(port: int, stop: asyncio.Event, opened: list[int]) -> None:
    """One slow client, until ``stop``."""
    while not stop.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            opened[0] += 1
            writer.write(b"POST /status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            n = 0
            while not stop.is_set():
                await writer.drain()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.5):
                        if not await reader.read(1024):  # closed by the server
                            break
                n += 1
                writer.write(b"X-Slow-%d: x\r\n" % n)
        except OSError:
            pass
        finally:
            if writer is not None:
                writer.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await stop.wait()


async def main(port: int, count: int, seconds: float) -> None:
    """Run ``count`` clients for ``seconds``."""
    stop = asyncio.Event()
    opened = [0]
    tasks = [asyncio.create_task(client(port, stop, opened)) for _ in range(count)]
    while opened[0] < count:
        await asyncio.sleep(0.05)
    print("ready", flush=True)
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(f"opened {opened[0]}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
