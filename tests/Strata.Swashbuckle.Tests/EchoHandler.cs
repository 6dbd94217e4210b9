using Strata.Jobs;

namespace Strata.Swashbuckle.Tests;

/// <summary>Does nothing: the document, not the work, is under test.</summary>
internal sealed class EchoHandler : IJobHandler<EchoJob>
{
    public Task HandleAsync(EchoJob job, JobContext context) => Task.CompletedTask;
}
