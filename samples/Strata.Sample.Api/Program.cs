using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Strata.ApiKeys;
using Strata.RateLimiting;
using Strata.Sample.Api.Cli;
using Strata.Sample.Api.Endpoints;
using Strata.Sample.Api.Hosting;
using Strata.Sample.Api.RateLimits;
using Strata.Sample.Api.Security;
using Strata.Sample.Api.Telemetry;
using Strata.Sample.Data;
using Strata.Sample.Processing;

// The Strata calls are the ones to copy; the Sample* helpers are this sample's own plumbing, each in its folder.
var command = SampleCommand.Parse(args);   // Cli/: `healthcheck` and `keys create`; no verb runs the host
if (await command.RunWithoutHostAsync() is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(command.HostArgs);
builder.Configuration.AddCommandLine(command.HostArgs, SampleCommand.SwitchMappings);
var role = builder.Configuration.GetSampleRole();   // --role all (default) | api | worker
var scaledOut = role != SampleRole.All;             // api and worker share the queue and the limits through Redis
var jobBackend = builder.Configuration.GetSampleJobBackend();   // Jobs:Backend: memory (role all) | redis | database
var sharedRedis = scaledOut && builder.Configuration.GetSampleRedisConnectionString() is not null;   // optional with database
builder.AddSampleHosting();     // Api settings, ProblemDetails, body limits, graceful shutdown
builder.AddSampleTelemetry();   // OpenTelemetry, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set
builder.AddSampleForwardedHeaders();   // behind a proxy: X-Forwarded-For trusted from Api:ForwardedHeaders:KnownProxies only

// Data and AI first: the key store below keeps its keys in this database, and the job handler uses both.
builder.Services.AddSampleData(builder.Configuration);         // SQLite file or PostgreSQL (Database:Provider)
builder.Services.AddDocumentAnalysis(builder.Configuration);   // offline model or an OpenAI-compatible one (Ai:Provider)
if (sharedRedis)
{
    builder.AddSampleRedis();   // one IConnectionMultiplexer for the queue, the limits and HybridCache's second level
}

// Gateway, API keys (Strata.ApiKeys): sent in the X-Api-Key header, stored as hashes in the sample database.
builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme)
    .AddApiKey(options => options.Prefix = SampleApiKeys.KeyPrefix)   // keys look like sk_sample_...
    .AddSampleDashboardSignIn();   // browsers: paste an admin key once at /strata-login, get a short-lived cookie
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(SampleDashboard.Policy, policy => policy
        .AddAuthenticationSchemes(SampleDashboard.Scheme)   // the X-Api-Key header or the sign-in cookie
        .RequireScope(SampleScopes.Admin));                 // the dashboard's policy
builder.Services.AddStrataDashboard();   // the web dashboard at /strata: antiforgery and its security headers
builder.Services.AddStrataApiKeys()
    .UseEntityFrameworkStore<SampleDbContext>();   // the StrataApiKeys table
builder.Services.Configure<ApiKeysOptions>(builder.Configuration.GetSection(SampleApiKeys.SectionName));   // Pepper, ...
builder.Logging.KeepKeysOutOfKestrelLogs();   // Kestrel's Debug log would quote a key sent in a malformed header line

// Gateway, rate limits (Strata.RateLimiting), per API key: a request limit on every /v1 route, a token budget on
// /v1/analyze and a smaller request limit on /admin/keys. A key's plan (metadata "plan") picks a tier of
// RateLimiting:Policies:{policy}:Tiers, reloaded without a restart; a key without a plan gets the limit of the Api section.
var failureModes = SampleFailureModes.From(builder.Configuration);   // while Redis cannot decide: local share, open or 503
builder.Services.AddSingleton(failureModes);
var limits = builder.Services.AddStrataRateLimiting();   // one runtime for every policy; IRateLimiterFactory for the token budget
if (sharedRedis)
{
    limits.UseRedis();   // the counts live in Redis: all api nodes share one limit per key
}

builder.Services.Configure<StrataRateLimitingOptions>(builder.Configuration.GetSection("RateLimiting"));   // tiers, reloaded
builder.Services.AddRateLimiter(_ => { });
builder.Services.AddOptions<RateLimiterOptions>()   // through options, to read the validated Api:RequestsPerMinute
    .Configure<IOptions<SampleApiOptions>, IRateLimiterFactory>((options, api, factory) =>
    {
        if (api.Value.RequestsPerMinutePerAddress > 0)   // off unless set: behind a proxy, list it in Api:ForwardedHeaders first
        {
            options.GlobalLimiter = new PerAddressLimiter(factory.CreatePartitioned(   // per client address, /health exempt
                SampleRateLimits.PerAddressPolicy,
                RatePartition.ByClientAddress,
                RateLimitRule.Gcra(api.Value.RequestsPerMinutePerAddress, TimeSpan.FromMinutes(1))));
            options.UseStrataRejectionResponse();   // its 429s as the policies': ProblemDetails, Retry-After, RateLimit
        }

        options.AddGcraPolicy(
            SampleRateLimits.PerKeyPolicy,
            RatePartition.ByApiKey,
            limit: api.Value.RequestsPerMinute,
            period: TimeSpan.FromMinutes(1),
            policy =>
            {
                policy.TierSelector = context => context.GetApiKeyPlan();
                policy.FailureMode = failureModes.PerKey;
            })
            .AddGcraPolicy(   // key management has a small limit of its own (Api:AdminRequestsPerMinute), whatever the plan
                SampleRateLimits.AdminPolicy,
                RatePartition.ByApiKey,
                limit: api.Value.AdminRequestsPerMinute,
                period: TimeSpan.FromMinutes(1),
                policy => policy.FailureMode = failureModes.Admin);
    });
builder.Services.AddSingleton<TokenBudget>();   // spends one permit per token (RateLimits/TokenBudget.cs)

// Gateway, OpenAPI: the ApiKey scheme and scopes on every operation that needs a key, so the /scalar page can send one,
// with its 401 and 403; the 429, 503 and RateLimit headers of the limits; the job endpoints' headers and parameter.
builder.Services.AddOpenApi(options => options
    .AddApiKeySecurityScheme()
    .AddRateLimitDescriptions()
    .AddJobEndpointDescriptions()
    .DescribeSampleApi());

// Async processing (Strata.Jobs): AnalyzeDocument jobs, in memory in role all; scaled out, in Redis or in the sample's
// own database (Jobs:Backend=database: PostgreSQL alone), where the api role enqueues them and the worker role runs them.
var jobs = builder.Services.AddStrataJobs(options =>
    {
        options.MaxAttempts = 3;
        options.RetryBaseDelay = TimeSpan.FromSeconds(1);
        options.DefaultTimeout = TimeSpan.FromMinutes(2);
        builder.Configuration.GetSection("Jobs").Bind(options);   // e.g. Jobs:Concurrency
        options.RunWorkers = role != SampleRole.Api;              // the api role only enqueues
    })
    .AddHandler<AnalyzeDocument, AnalyzeDocumentHandler>(name: PurgeFinishedJobsHandler.AnalysisJobType)
    .AddHandler<PurgeFinishedJobs, PurgeFinishedJobsHandler>(name: "purge-finished-jobs")
    .AddRecurring("nightly-purge", "0 3 * * *", new PurgeFinishedJobs(KeepDays: 7));   // once a night across the fleet
switch (jobBackend)
{
    case SampleJobBackend.Redis:
        jobs.UseRedis(options => builder.Configuration.GetSection("Jobs:Redis").Bind(options));   // the connection above
        break;
    case SampleJobBackend.Database:
        jobs.UseEntityFramework<SampleDbContext>(options => builder.Configuration.GetSection("Jobs:Database").Bind(options));   // its migrations add the tables
        break;
    default:
        jobs.UseInMemory();
        break;
}

builder.Services.AddSampleProcessingOptions(builder.Configuration);   // the handler's fault-injection knob, for tests

var app = builder.Build();
await app.Services.MigrateSampleDatabaseAsync();   // create or upgrade the database on start
if (command is KeysCreateCommand keysCreate)
{
    return await keysCreate.RunAsync(app.Services);
}

app.UseForwardedHeaders();      // first: the client's address for the guard and the limits (off unless proxies are listed)
app.UseSampleErrorHandling();   // ProblemDetails for every error; 413/415 before the body is read; Redis out: 503
app.UseAuthentication();        // before the rate limiter: the limits are per key, so the key must be known
app.UseAuthorization();
app.UseRateLimiter();

app.MapHealthEndpoints();       // /health/live and /health/ready, without a key, in every role
if (role != SampleRole.Worker)   // a worker serves /health only
{
    var v1 = app.MapGroup("/v1").RequireRateLimiting(SampleRateLimits.PerKeyPolicy);
    v1.MapAnalyzeEndpoints().RequireScope(SampleScopes.Analyze);   // also spends the key's token budget
    v1.MapJobEndpoints().RequireScope(SampleScopes.JobsWrite);       // submit, poll and cancel: 202 + Location
    app.MapAdminKeyEndpoints().RequireScope(SampleScopes.Admin)      // key management, under its own smaller limit
        .RequireRateLimiting(SampleRateLimits.AdminPolicy);
    app.MapJobAdminEndpoints("/admin/jobs").RequireScope(SampleScopes.Admin)   // find, requeue, purge jobs; pause queues
        .RequireRateLimiting(SampleRateLimits.AdminPolicy);
    app.MapStrataDashboard(SampleDashboard.Path, options => options.AuthorizationPolicy = SampleDashboard.Policy);   // queues, jobs, schedules
    app.MapDashboardSignIn();   // GET and POST /strata-login, POST /strata-login/sign-out

    app.MapOpenApi();   // /openapi/v1.json
    app.MapScalarApiReference(options => options   // /scalar: served by the app, asks no outside host for anything
        .WithTitle(SampleOpenApi.Title)
        .AddPreferredSecuritySchemes(ApiKeyDefaults.AuthenticationScheme)
        .DisableDefaultFonts()      // else two font files from fonts.scalar.com; the browser's own fonts instead
        .DisableTelemetry()
        .DisableAgent()             // Agent Scalar would send the document to Scalar's servers
        .HideDeveloperTools());     // its share and register actions upload the document to Scalar

    await app.CreateDemoKeyOnFirstRunAsync();   // Development, empty database: prints a key once, never logs it
}

await app.RunAsync();
return 0;

/// <summary>The entry point (public for the tests' WebApplicationFactory).</summary>
public partial class Program;
