using Microsoft.Extensions.Logging;

namespace Strata.Dashboard.Internal;

/// <summary>The dashboard's log messages.</summary>
internal static partial class DashboardLog
{
    /// <summary>The category of the dashboard's logs.</summary>
    public const string Category = "Strata.Dashboard";

    [LoggerMessage(EventId = 1, EventName = "DashboardAnonymous", Level = LogLevel.Warning,
        Message = "The Strata dashboard at {Prefix} answers without authorization (AllowAnonymousInDevelopment): never use this outside local development.")]
    public static partial void Anonymous(ILogger logger, string prefix);

    [LoggerMessage(EventId = 2, EventName = "DashboardPageFailed", Level = LogLevel.Error,
        Message = "A Strata dashboard {Method} {Path} failed; answered 503.")]
    public static partial void PageFailed(ILogger logger, string method, string path, Exception exception);
}
