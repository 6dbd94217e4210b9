using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests.ClientWalk;

/// <summary>
/// The sample in role api on real Kestrel over a real redis-server (the queue, the rate limits and the key cache in
/// Redis), with this process also running the job workers (as a worker-role process would), so a job reaches a final
/// state. The model waits <see cref="ModelLatency"/> per call, so a job just submitted can still be cancelled; keys of
/// plan <see cref="LimitedPlan"/> may make <see cref="LimitedRequestsPerMinute"/> requests a minute.
/// </summary>
public sealed class ClientWalkFactory(string redisConnectionString) : SampleApiFactory
{
    public const string LimitedPlan = "limited";
    public const int LimitedRequestsPerMinute = 3;
    private const string ModelLatency = "00:00:02";

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Strata:Role", "api"),
        new("ConnectionStrings:Redis", redisConnectionString),
        new("Ai:SimulatedLatency", ModelLatency),
        new($"RateLimiting:Policies:per-key:Tiers:{LimitedPlan}", $"{LimitedRequestsPerMinute}"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.PostConfigure<JobsOptions>(options => options.RunWorkers = true));
    }
}
