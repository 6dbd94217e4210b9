using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Strata.Sample.Gateway;

/// <summary>
/// Sends a request on to another node when the chosen node refused the connection (for example a node that got SIGTERM
/// and has closed its listener, before the health checks have noticed). Only a failure to connect is retried: the node
/// never received the request, so even a POST cannot run twice. A request that reached a node and failed there is
/// answered with the proxy's 502 as before. Each node is tried at most once per request.
/// </summary>
internal sealed partial class RefusedConnectionRetry(RequestDelegate next, ILogger<RefusedConnectionRetry> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        List<DestinationState>? tried = null;
        while (true)
        {
            await next(context);

            var error = context.GetForwarderErrorFeature();
            if (error is null || context.Response.HasStarted || !NeverReachedTheNode(error) || proxy.ProxiedDestination is not { } failed)
            {
                return;
            }

            tried ??= [];
            tried.Add(failed);
            // A healthy node first; when the health checks have not caught up (or mark every node down), any other node.
            var other = Pick(proxy.Route.Cluster?.DestinationsState.AvailableDestinations, tried) ?? Pick(proxy.AllDestinations, tried);
            if (other is null)
            {
                return;   // every node refused: the client gets the 502
            }

            Log.Retrying(logger, failed.DestinationId, other.DestinationId);
            context.Response.Clear();
            context.Features.Set<IForwarderErrorFeature>(null);
            proxy.ProxiedDestination = null;
            proxy.AvailableDestinations = [other];
        }
    }

    private static bool NeverReachedTheNode(IForwarderErrorFeature error)
        => error.Error == ForwarderError.Request
            && error.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };

    private static DestinationState? Pick(IReadOnlyList<DestinationState>? destinations, List<DestinationState> tried)
    {
        if (destinations is null)
        {
            return null;
        }

        DestinationState? best = null;
        foreach (var destination in destinations)
        {
            if (!tried.Contains(destination) && (best is null || destination.ConcurrentRequestCount < best.ConcurrentRequestCount))
            {
                best = destination;
            }
        }

        return best;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Node {Failed} refused the connection; sending the request to {Other}.", EventName = "RetryingRefusedConnection")]
        public static partial void Retrying(ILogger logger, string failed, string other);
    }
}
