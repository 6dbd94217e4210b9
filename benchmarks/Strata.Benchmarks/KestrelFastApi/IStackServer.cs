using Strata.Benchmarks.SyncAsync;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>A server under load in a process tree of its own: the Kestrel host, or Uvicorn with one or more workers.</summary>
internal interface IStackServer : IDisposable
{
    /// <summary>The server's address (<c>http://127.0.0.1:port</c>).</summary>
    Uri Address { get; }

    /// <summary>The root of the server's process tree (Uvicorn's workers are its children).</summary>
    int ProcessId { get; }

    /// <summary>Sends the request once, untimed, and checks its status.</summary>
    /// <param name="request">The request.</param>
    /// <returns>A task.</returns>
    Task PrimeAsync(HttpRequestSpec request);
}
