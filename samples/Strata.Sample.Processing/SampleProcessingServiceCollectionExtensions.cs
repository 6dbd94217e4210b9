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
    /// The section <c>Jobs</c> overrides the sample's job settings (e.g. <c>Jobs:Concurrency</c>) and <c>Jobs:Redis</c>
    /// the Redis backend's (e.g. <c>Jobs:Redis:LeaseTime</c>).
    /// </summary>
    public static JobsBuilder AddSampleProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var role = configuration.GetSampleRole();
        var redis = configuration.GetSampleRedisConnectionString();
        var jobsSection = configuration.GetSection("Jobs");
        services.AddOptions<SampleProcessingOptions>()
            .Bind(configuration.GetSection(SampleProcessingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var jobs = services
            .AddJobs(options =>
            {
                options.MaxAttempts = 3;
                options.RetryBaseDelay = TimeSpan.FromSeconds(1);
                options.DefaultTimeout = TimeSpan.FromMinutes(2);
                jobsSection.Bind(options);
                options.RunWorkers = role != SampleRole.Api;
            })
            .AddHandler<AnalyzeDocument, AnalyzeDocumentHandler>(name: "analyze-document");

        if (role == SampleRole.All || redis is null)
        {
            return jobs.UseInMemory();
        }

        return jobs.UseRedis(options =>
        {
            options.Configuration = redis;
            jobsSection.GetSection("Redis").Bind(options);
        });
    }
}
