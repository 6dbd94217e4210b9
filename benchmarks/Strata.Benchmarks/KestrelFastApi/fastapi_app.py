"""The FastAPI side of KestrelFastApiBenchmarks: the five routes the Kestrel host serves, with the same work.

Run as a script it serves the app with Uvicorn on 127.0.0.1 (UvicornProcess starts it with Debian's /usr/bin/python3):

    python3 fastapi_app.py --port 5000 --workers 2

Uvicorn picks uvloop and httptools when they import (loop="auto", http="auto"). The process stops, as the Kestrel host
does, when its standard input closes: the benchmark is over, however it ended.
"""

import asyncio
import hashlib
import sys
import time
from typing import List

from fastapi import FastAPI
from pydantic import BaseModel

# The same figures as SyncAsyncServer.WaitMilliseconds and SyncAsyncServer.HashRounds (4 KiB input, as there).
WAIT_SECONDS = 0.020
HASH_ROUNDS = 320
HASH_INPUT = bytes(4096)

app = FastAPI()


class EchoPayload(BaseModel):
    """The body POST /json reads and writes back."""

    id: int
    name: str
    tags: List[str]
    score: float


@app.on_event("startup")
async def report_implementations() -> None:
    # Goes to the benchmark's log through standard error: which event loop and HTTP parser this worker runs.
    http = "httptools" if "httptools" in sys.modules else "h11"
    print(f"fastapi_app: loop {type(asyncio.get_running_loop()).__module__}, http {http}", file=sys.stderr, flush=True)


@app.get("/io/await")
async def await_io() -> str:
    """The async version: the event loop serves other requests during the wait."""
    await asyncio.sleep(WAIT_SECONDS)
    return "ok"


@app.get("/io/sleep")
def block_sync() -> str:
    """A plain def: FastAPI runs it on its thread pool (AnyIO's, 40 threads by default), where it holds a thread."""
    time.sleep(WAIT_SECONDS)
    return "ok"


@app.get("/io/block-in-async")
async def block_in_async() -> str:
    """The misuse: a blocking call inside async def stalls the worker's event loop, and every request with it."""
    time.sleep(WAIT_SECONDS)
    return "ok"


@app.get("/cpu/sync")
def cpu() -> str:
    """About 1 ms of SHA-256, as a plain def (FastAPI's advice for code that does not await)."""
    for _ in range(HASH_ROUNDS):
        hashlib.sha256(HASH_INPUT).digest()
    return "ok"


@app.post("/json")
async def json_echo(payload: EchoPayload) -> EchoPayload:
    """A small JSON body validated into a model and written back."""
    return payload


def _serve() -> None:
    import argparse
    import os
    import signal
    import threading

    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    arguments = parser.parse_args()

    def stop_when_input_closes() -> None:
        sys.stdin.read()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_when_input_closes, daemon=True).start()
    uvicorn.run(
        "fastapi_app:app",
        host="127.0.0.1",
        port=arguments.port,
        workers=arguments.workers,
        loop="auto",
        http="auto",
        access_log=False,
        log_level="info",
        app_dir=os.path.dirname(os.path.abspath(__file__)),
    )


if __name__ == "__main__":
    _serve()
