using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Swashbuckle.Tests;

/// <summary>An app with job endpoints and the admin endpoints only (no other Strata package writes the problem schema first).</summary>
internal static class JobHost
{
    public static async Task<string> JsonAsync(Action<global::Swashbuckle.AspNetCore.SwaggerGen.SwaggerGenOptions>? own = null)
    {
        await using var app = await SwaggerDocument.StartAsync(
            swagger: options =>
            {
                own?.Invoke(options);
                options.AddJobEndpointDescriptions();
            },
            services: builder =>
            {
                builder.Services.AddAuthorization();
                builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>().UseInMemory();
            },
            endpoints: app =>
            {
                app.MapJobEndpoints<EchoJob>("/v1/echo");
                app.MapJobEndpoints<EchoJob>("/v1/no-key", o => o.IdempotencyKeyHeader = null);
                app.MapJobAdminEndpoints("/admin/jobs");
            });
        var json = await app.GetTestClient().GetStringAsync("/swagger/v1/swagger.json");
        await app.StopAsync();
        return json;
    }
}
