using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Dashboard.Internal.Live;

/// <summary>
/// <c>GET {prefix}/live</c>: the collector's series as JSON, for the overview's script. Behind the dashboard's policy
/// and headers like every other route. The body:
/// <c>{"node":"this","resolutionSeconds":5,"start":1765000000,"jobs":true,"rateLimiting":false,"series":{"jobsSucceeded":[...],...}}</c>,
/// where <c>start</c> is the first bucket's start in Unix seconds and every array has one value per bucket, oldest first.
/// </summary>
internal static class LiveEndpoint
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static async Task WriteAsync(HttpContext context)
    {
        var collector = context.RequestServices.GetRequiredService<LiveCollector>();
        var snapshot = collector.Read();
        context.Response.ContentType = "application/json; charset=utf-8";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            Write(json, collector, snapshot);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes the body; the benchmark of a poll's cost calls it directly too.</summary>
    internal static void Write(Utf8JsonWriter json, LiveCollector collector, LiveSnapshot snapshot)
    {
        json.WriteStartObject();
        json.WriteString("node", "this");
        json.WriteNumber("resolutionSeconds", snapshot.ResolutionMs / 1000.0);
        json.WriteNumber("start", snapshot.StartUnixMs / 1000.0);
        json.WriteBoolean("jobs", collector.JobsSeen);
        json.WriteBoolean("rateLimiting", collector.RateLimitingSeen);
        json.WriteStartObject("series");
        for (var s = 0; s < LiveSeries.Count; s++)
        {
            json.WriteStartArray(LiveSeries.Names[s]);
            foreach (var value in snapshot.Values[s])
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
