using Microsoft.Extensions.Configuration;
using Strata.Jobs;
using Strata.Sample.Processing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the sample's job queue and handlers.</summary>
public static class SampleProcessingServiceCollectionExtensions
{
    /// <summary>
    /// Adds Strata.Jobs with the <see cref="AnalyzeDocument"/> handler. Role <c>all</c>: the in-memory queue, workers
    /// in this process. Roles <c>api</c> and <c>worker</c>: the Redis queue (<c>ConnectionStrings:Redis</c>; the
    /// <c>IConnectionMultiplexer</c> in DI when one is registered); the api role enqueues only and runs no workers.
    /// </summary>
    public static JobsBuilder AddSampleProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var role = configuration.GetSampleRole();
        var redis = configuration.GetSampleRedisConnectionString();
        var jobs = services
            .AddJobs(options =>
            {
                options.RunWorkers = role != SampleRole.Api;
                options.MaxAttempts = 3;
                options.RetryBaseDelay = TimeSpan.FromSeconds(1);
                options.DefaultTimeout = TimeSpan.FromMinutes(2);
            })
            .AddHandler<AnalyzeDocument, AnalyzeDocumentHandler>(name: "analyze-document");

        if (role == SampleRole.All || redis is null)
        {
            return jobs.UseInMemory();
        }

        return jobs.UseRedis(options => options.Configuration = redis);
    }
}
