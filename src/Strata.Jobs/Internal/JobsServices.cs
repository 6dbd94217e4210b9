using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// Resolves the job queue's internal services for the public entry points that need them, so that a forgotten
/// <c>AddStrataJobs()</c> fails with a message naming the call to add rather than an internal type.
/// </summary>
internal static class JobsServices
{
    public static JobTypeRegistry GetRegistry(IServiceProvider services, string entryPoint, string jobType = "TJob") =>
        services.GetService<JobTypeRegistry>() ?? throw NotAdded(entryPoint, jobType);

    public static IJobBackend GetBackend(IServiceProvider services, string entryPoint) =>
        services.GetService<IJobBackend>() ?? throw NotAdded(entryPoint, "TJob");

    private static InvalidOperationException NotAdded(string entryPoint, string jobType) => new(
        $"Strata.Jobs is not added to the services. Call builder.Services.AddStrataJobs().AddHandler<{jobType}, THandler>() " +
        $"(or AddJob<{jobType}>() on a host that only enqueues) before {entryPoint}.");
}
