using Strata.ApiKeys;

namespace Strata.Sample.Api.Security;

/// <summary>
/// First run in Development: when the database holds no key at all, creates a demo key (scopes <c>analyze</c> and
/// <c>jobs:write</c>, plan <c>demo</c>) and prints it once to the console with a curl line to paste. The key is never
/// logged: the banner goes to <see cref="SampleConsole"/>, not to <c>ILogger</c>, and is not written again.
/// </summary>
internal static class DemoKey
{
    public const string Name = "demo";

    public static async Task CreateDemoKeyOnFirstRunAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        if (!app.Environment.IsDevelopment())
        {
            return;
        }

        var manager = app.Services.GetRequiredService<IApiKeyManager>();
        var existing = await manager.ListAsync(cancellationToken: cancellationToken);
        if (existing.Count > 0)
        {
            return;
        }

        var created = await manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "demo",
            Name = Name,
            Scopes = [SampleScopes.Analyze, SampleScopes.JobsWrite],
            Metadata = new Dictionary<string, string> { [SampleScopes.PlanMetadata] = SampleScopes.DemoPlan },
        }, cancellationToken);

        // Printed once the server listens, so the curl line carries the real address.
        var console = app.Services.GetRequiredService<SampleConsole>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var baseUrl = app.Urls.FirstOrDefault(url => url.StartsWith("http://", StringComparison.Ordinal))
                ?? app.Urls.FirstOrDefault()
                ?? "http://localhost:5080";
            console.Out.WriteLine(Banner(created.Key, baseUrl.TrimEnd('/')));
            console.Out.Flush();
        });
    }

    internal static string Banner(string key, string baseUrl) => $$"""

        ==================================================================================
         First run: created a demo API key (scopes: analyze, jobs:write; plan: demo).
         It is shown this once and never logged. Keep it:

           {{key}}

         Try it:
           curl -s {{baseUrl}}/v1/analyze -H "X-Api-Key: {{key}}" -H "Content-Type: application/json" -d '{"text":"Strata makes rate limits easy. I love it."}'

         API reference: {{baseUrl}}/scalar
        ==================================================================================

        """;
}

/// <summary>Where the sample prints what a person must read once (the demo key banner, keys created by the CLI).</summary>
internal sealed class SampleConsole(TextWriter output)
{
    public SampleConsole()
        : this(Console.Out)
    {
    }

    public TextWriter Out { get; } = output;
}
