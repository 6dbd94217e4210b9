using Strata.Benchmarks.SyncAsync;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>
/// The sync/async job (in process, one invocation per case, the command line's filters) with this comparison's
/// columns. BenchmarkDotNet runs the cases parameter set by parameter set, the three stacks of one endpoint and
/// concurrency one after another, so drift in the machine's outside load falls on the three alike.
/// </summary>
internal sealed class KestrelFastApiConfig : SyncAsyncConfig
{
    public KestrelFastApiConfig()
        : base(KestrelFastApiColumn.All)
    {
    }
}
