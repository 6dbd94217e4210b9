using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Jobs;
using Strata.Sample.Api.Endpoints;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// POST /v1/jobs when the queue took the job but reading its status back fails (Redis dropped between the two calls):
/// the job is queued, so the answer is 202 with its id, never a 503 that would make the client submit it again. And a
/// poll while the store cannot be reached: a clear 503 with Retry-After.
/// </summary>
public sealed class JobSubmitFaultTests(StatusReadsFailFactory factory) : IClassFixture<StatusReadsFailFactory>
{
    [Theory]
    [InlineData(RedisFault.ConnectionLost)]
    [InlineData(RedisFault.TimedOut)]
    public async Task A_job_queued_whose_status_cannot_be_read_back_is_answered_202_not_503(RedisFault fault)
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);

        var failedBefore = factory.Store.FailedReads;
        factory.Store.Failing = fault;
        using var submitted = await client.PostTextAsync("/v1/jobs", "The queue took it; the status read failed.");
        factory.Store.Failing = null;

        submitted.StatusCode.Should().Be(HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var status = await submitted.Content.ReadFromJsonAsync<JobStatus>();
        status!.State.Should().Be("queued");
        submitted.Headers.Location!.ToString().Should().Be($"/v1/jobs/{status.Id}");
        (factory.Store.FailedReads - failedBefore).Should().Be(1, "the status read after the enqueue failed");

        using var poll = await client.GetAsync(submitted.Headers.Location);
        poll.StatusCode.Should().Be(HttpStatusCode.OK, "the job exists: it was queued");
    }

    [Theory]
    [InlineData(RedisFault.ConnectionLost)]
    [InlineData(RedisFault.TimedOut)]
    public async Task A_poll_while_the_job_store_cannot_be_reached_is_a_503_with_retry_after(RedisFault fault)
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);
        using var submitted = await client.PostTextAsync("/v1/jobs", "Polled while Redis is out of reach.");
        submitted.StatusCode.Should().Be(HttpStatusCode.Accepted);

        factory.Store.Failing = fault;
        using var poll = await client.GetAsync(submitted.Headers.Location);
        factory.Store.Failing = null;

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(poll, HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("title").GetString().Should().Be("Job queue unavailable");
        poll.Headers.RetryAfter!.Delta!.Value.Should().BePositive();
    }
}

/// <summary>The host (role all) with its job store wrapped so that status reads can be made to fail as Redis would.</summary>
public sealed class StatusReadsFailFactory : SampleApiFactory
{
    /// <summary>The wrapped store (the host's <see cref="IJobStore"/>); the server must have started.</summary>
    public FailingStatusReads Store => (FailingStatusReads)Services.GetRequiredService<IJobStore>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var original = services.Last(d => d.ServiceType == typeof(IJobStore));
            services.Remove(original);
            services.AddSingleton<IJobStore>(provider =>
            {
                var inner = original.ImplementationInstance as IJobStore
                            ?? original.ImplementationFactory?.Invoke(provider) as IJobStore
                            ?? (IJobStore)ActivatorUtilities.CreateInstance(provider, original.ImplementationType!);
                return new FailingStatusReads(inner);
            });
        });
    }
}

/// <summary>How StackExchange.Redis fails when Redis is out of reach.</summary>
public enum RedisFault
{
    /// <summary>A <see cref="RedisConnectionException"/> (a <see cref="RedisException"/>): the connection dropped.</summary>
    ConnectionLost,

    /// <summary>A <see cref="RedisTimeoutException"/> (a <see cref="TimeoutException"/>, not a <see cref="RedisException"/>): the command waited in the client's backlog past its timeout.</summary>
    TimedOut,
}

/// <summary>An <see cref="IJobStore"/> whose owner-scoped reads throw as Redis would while <see cref="Failing"/> is set.</summary>
public sealed class FailingStatusReads(IJobStore inner) : IJobStore
{
    private int _failedReads;
    private volatile StrongBox<RedisFault>? _failing;

    public RedisFault? Failing
    {
        get => _failing?.Value;
        set => _failing = value is { } fault ? new StrongBox<RedisFault>(fault) : null;
    }

    public int FailedReads => Volatile.Read(ref _failedReads);

    public ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken = default) => inner.GetAsync(jobId, cancellationToken);

    public ValueTask<JobInfo?> GetForOwnerAsync(string jobId, string? owner, CancellationToken cancellationToken = default)
    {
#pragma warning disable CS0618 // the overloads with CommandFlags are for the library's own use; a test only needs the exception
        switch (Failing)
        {
            case RedisFault.ConnectionLost:
                Interlocked.Increment(ref _failedReads);
                throw new RedisConnectionException(ConnectionFailureType.SocketFailure, "Simulated: Redis dropped the connection.");
            case RedisFault.TimedOut:
                Interlocked.Increment(ref _failedReads);
                throw new RedisTimeoutException("Simulated: the message timed out in the backlog attempting to send because no connection became available.", CommandStatus.WaitingInBacklog);
        }
#pragma warning restore CS0618

        return inner.GetForOwnerAsync(jobId, owner, cancellationToken);
    }
}
