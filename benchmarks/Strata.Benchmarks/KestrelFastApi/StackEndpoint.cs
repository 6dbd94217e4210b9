namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>The five routes both stacks serve, with the same work (SyncAsyncServer.cs and fastapi_app.py).</summary>
public enum StackEndpoint
{
    /// <summary><c>GET /io/await</c>: an async handler awaits a 20 ms timer (<c>Task.Delay</c>; <c>asyncio.sleep</c>).</summary>
    AwaitIo,

    /// <summary>
    /// <c>GET /io/sleep</c>: a sync handler sleeps 20 ms (<c>Thread.Sleep</c> on the request's pool thread; a plain
    /// <c>def</c> with <c>time.sleep</c>, which FastAPI runs on its thread pool).
    /// </summary>
    BlockingSync,

    /// <summary>
    /// <c>GET /io/block-in-async</c>: an async handler blocks 20 ms (<c>Thread.Sleep</c> in an async lambda; an
    /// <c>async def</c> calling <c>time.sleep</c>, which stalls the worker's event loop).
    /// </summary>
    BlockingInAsync,

    /// <summary><c>GET /cpu/sync</c>: 320 SHA-256 rounds over 4 KiB (about 1 ms of CPU) in a sync handler.</summary>
    Cpu,

    /// <summary><c>POST /json</c>: a 79-byte JSON body bound to a type and written back.</summary>
    JsonEcho,
}
