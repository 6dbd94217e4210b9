using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Strata.ApiKeys.Internal;

/// <summary>Flushes <see cref="LastUsedTracker"/> every <see cref="ApiKeysOptions.LastUsedFlushInterval"/> and at shutdown.</summary>
/// <remarks>The tracker (and so the store) is resolved on start, not on construction, so a missing store is reported by options validation.</remarks>
internal sealed class LastUsedFlushService : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<ApiKeysOptions> _options;
    private LastUsedTracker? _tracker;
    private PeriodicTimer? _timer;

    public LastUsedFlushService(IServiceProvider services, TimeProvider time, IOptionsMonitor<ApiKeysOptions> options)
    {
        _services = services;
        _time = time;
        _options = options;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _tracker = _services.GetRequiredService<LastUsedTracker>();

        // Created here, on the starting thread: ExecuteAsync may run later on the thread pool, and the flush
        // schedule starts when the host starts.
        _timer = new PeriodicTimer(_options.CurrentValue.LastUsedFlushInterval, _time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_tracker is not null)
        {
            await _tracker.FlushAtShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tracker = _tracker!;
        using var timer = _timer!;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await tracker.FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; StopAsync flushes what is left.
        }
    }
}
