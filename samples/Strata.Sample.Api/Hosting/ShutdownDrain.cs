using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Strata.Sample.Api.Hosting;

/// <summary>
/// The first part of a graceful stop behind a load balancer (<c>Api:DrainDelay</c>). From SIGTERM until the delay has
/// passed, the node keeps serving as before, but <c>/health/ready</c> answers 503 (so the balancer's health check takes
/// it out of rotation) and every response carries <c>Connection: close</c> (so the balancer opens a new connection for
/// its next request instead of reusing one). Only then does Kestrel stop listening and close its idle connections.
/// </summary>
/// <remarks>
/// Without it, a balancer can send a request on a pooled keep-alive connection at the instant the stopping node closes
/// that connection as idle: the request is lost on the wire and the balancer, which cannot know whether the node ran
/// it, answers 502. With HTTP/1.1 nothing but a drain avoids that race; a balancer retries connections the node
/// refused (after the drain) safely, because those requests never reached it.
/// </remarks>
internal sealed partial class ShutdownDrain(IOptions<SampleApiOptions> options, ILogger<ShutdownDrain> logger)
    : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    /// <summary>Whether the node is draining: the delay has begun and Kestrel is still serving.</summary>
    public bool Draining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.DrainDelay;
        if (delay <= TimeSpan.Zero || _draining)
        {
            return;   // no drain asked for, or it has run already (a stop after a stop)
        }

        _draining = true;
        Log.Draining(logger, delay);
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout ran out first (a second Ctrl+C, or a timeout shorter than the delay): stop now.
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(_draining ? HealthCheckResult.Unhealthy("The node is stopping.") : HealthCheckResult.Healthy());

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Stopping: draining for {Delay} (ready check 503, every response closes its connection) before Kestrel stops listening.", EventName = "Draining")]
        public static partial void Draining(ILogger logger, TimeSpan delay);
    }
}

/// <summary>Adds <c>Connection: close</c> to every response while <see cref="ShutdownDrain"/> drains.</summary>
internal sealed class ShutdownDrainMiddleware(RequestDelegate next, ShutdownDrain drain)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (drain.Draining)
        {
            context.Response.Headers.Connection = "close";
        }

        return next(context);
    }
}
