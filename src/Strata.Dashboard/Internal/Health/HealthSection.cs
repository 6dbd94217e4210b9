using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Strata.Dashboard.Internal.Health;

/// <summary>
/// The overview's "Stores" table: every registered <see cref="IDashboardHealthSource"/>, read in parallel, each within
/// <see cref="Timeout"/>. A source that throws or does not answer in time is shown unhealthy with the reason (the
/// exception's type, never its message, which may carry an address), so a store that is down renders a page, not a 500.
/// </summary>
internal static class HealthSection
{
    /// <summary>How long the overview waits for one store's answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static async Task<IReadOnlyList<HealthReading>> ReadAsync(DashboardRequest request)
    {
        var sources = request.Context.RequestServices.GetServices<IDashboardHealthSource>().ToArray();
        var readings = await Task.WhenAll(sources.Select(source => ReadOneAsync(request, source))).ConfigureAwait(false);
        var now = request.Now;
        return [.. readings.OfType<HealthReading>().Select(r => r with { ReadAt = now })];
    }

    public static void Write(HtmlWriter html, IReadOnlyList<HealthReading> readings)
    {
        if (readings.Count == 0)
        {
            return;
        }

        html.Markup("<h2>Stores</h2><table class=\"health\"><thead><tr><th scope=\"col\">Store</th><th scope=\"col\">State</th>")
            .Markup("<th scope=\"col\">Description</th><th scope=\"col\">Read at</th></tr></thead><tbody>");
        foreach (var reading in readings)
        {
            html.Markup("<tr><th scope=\"row\">").Text(reading.Store).Markup("</th><td>")
                .Markup(reading.Status switch
                {
                    HealthStatus.Healthy => "<span class=\"badge health-healthy\">",
                    HealthStatus.Degraded => "<span class=\"badge health-degraded\">",
                    _ => "<span class=\"badge health-unhealthy\">",
                })
                .Text(reading.StateText).Markup("</span></td><td>").Text(reading.Description ?? "—").Markup("</td><td>")
                .Time(reading.ReadAt).Markup("</td></tr>");
        }

        html.Markup("</tbody></table>");
    }

    private static async Task<HealthReading?> ReadOneAsync(DashboardRequest request, IDashboardHealthSource source)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(request.Aborted);
        timeout.CancelAfter(Timeout);
        try
        {
            return await source.ReadAsync(request.Context.RequestServices, timeout.Token).AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!request.Aborted.IsCancellationRequested)
        {
            return new HealthReading(source.Name, HealthStatus.Unhealthy, $"It did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthReading(source.Name, HealthStatus.Unhealthy, $"Reading its health failed ({ex.GetType().Name}).");
        }
    }
}
