using Strata.Sample.Api.Cli;
using Strata.Sample.Api.Endpoints;
using Strata.Sample.Api.Hosting;
using Strata.Sample.Api.RateLimits;
using Strata.Sample.Api.Security;
using Strata.Sample.Api.Telemetry;
using Strata.Sample.Processing;

// Command-line verbs (Cli/): `healthcheck [--url]` and `keys create --name ... --scopes ...`; no verb runs the host.
var command = SampleCommand.Parse(args);
switch (command)
{
    case UsageError usage:
        return usage.Run();
    case HealthCheckCommand healthCheck:
        return await healthCheck.RunAsync();
}

var builder = WebApplication.CreateBuilder(command.HostArgs);
builder.Configuration.AddCommandLine(command.HostArgs, SampleCommand.SwitchMappings);   // --role all|api|worker
var role = builder.Configuration.GetSampleRole();

// The layers below the host: database (SQLite file or PostgreSQL), AI (offline or OpenAI-compatible), jobs
// (in memory for role all, Redis for api and worker).
builder.Services.AddSampleData(builder.Configuration);
builder.Services.AddDocumentAnalysis(builder.Configuration);
builder.Services.AddSampleProcessing(builder.Configuration);

// The gateway: API keys in the database, rate limits per key, OpenAPI, ProblemDetails, health, telemetry.
builder.AddSampleHosting();
builder.AddSampleRedis();           // api/worker: one Redis for the queue, the rate limits and HybridCache's L2
builder.AddSampleApiKeys();
builder.AddSampleRateLimits();
builder.AddSampleOpenApi();
builder.AddSampleTelemetry();
builder.Services.AddSingleton<SampleConsole>();
builder.Services.AddSingleton<DocumentRequestValidator>();

var app = builder.Build();
await app.Services.MigrateSampleDatabaseAsync();

if (command is KeysCreateCommand keysCreate)
{
    return await keysCreate.RunAsync(app.Services);
}

app.UseSampleErrorHandling();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapHealthEndpoints();
if (role != SampleRole.Worker)
{
    var v1 = app.MapGroup("/v1").RequireRateLimiting(SampleRateLimitsExtensions.PerKeyPolicy);
    v1.MapAnalyzeEndpoints();
    v1.MapJobEndpoints();
    app.MapAdminKeyEndpoints();
    app.MapSampleOpenApi();

    await app.CreateDemoKeyOnFirstRunAsync();
}

await app.RunAsync();
return 0;

/// <summary>The entry point (public for the tests' WebApplicationFactory).</summary>
public partial class Program;
